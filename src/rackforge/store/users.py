"""Users and their API tokens: ``rf_<id>_<secret>``, 256 random bits, shown once when made; the store
keeps only the SHA-256 of the token (a token of that entropy needs no slow hash) and checks a presented
token by its id, comparing hashes in constant time."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from rackforge.errors import InputError, Problem
from rackforge.store.schema import UserRow
from rackforge.store.store import COMMAND_LINE, Store, as_utc, now


class Role(StrEnum):
    """What a user may do: read (viewer), also write scenarios and start runs (planner), also manage (admin)."""

    VIEWER = "viewer"
    PLANNER = "planner"
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    """A user as the application sees one (never the token or its hash)."""

    id: int
    name: str
    organization: str
    role: Role
    created: dt.datetime
    revoked: dt.datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_user(store: Store, name: str, organization: str, role: Role) -> tuple[User, str]:
    """Make a user and its token; the token is returned here and nowhere else. A name in use is an input error."""
    with store.transaction() as s:
        row = UserRow(name=name, organization=organization, role=str(role), token_hash="", created=now())
        s.add(row)
        try:
            s.flush()
        except IntegrityError:
            raise InputError(
                Problem(("user",), f"a user `{name}` exists", "choose another name", COMMAND_LINE)
            ) from None
        token = f"rf_{row.id}_{secrets.token_urlsafe(32)}"
        row.token_hash = _digest(token)
        return user_of(row), token


def revoke_user(store: Store, name: str) -> User:
    """Revoke a user's token (the user stays, for the record of what it did)."""
    with store.transaction() as s:
        row = s.scalars(select(UserRow).where(UserRow.name == name)).first()
        if row is None:
            raise InputError(Problem(("user",), f"no user `{name}`", "see the users you added", COMMAND_LINE))
        row.revoked = row.revoked or now()
        return user_of(row)


def authenticate(store: Store, token: str) -> User | None:
    """The active user holding ``token``, or ``None`` (unknown, malformed or revoked)."""
    prefix, _, rest = token.partition("_")
    user_id, _, _secret = rest.partition("_")
    if prefix != "rf" or not user_id.isdigit():
        return None
    with store.reading() as s:
        row = s.get(UserRow, int(user_id))
        if row is None or row.revoked is not None:
            return None
        return user_of(row) if hmac.compare_digest(row.token_hash, _digest(token)) else None


def user_of(row: UserRow) -> User:
    created = as_utc(row.created)
    assert created is not None
    return User(row.id, row.name, row.organization, Role(row.role), created, as_utc(row.revoked))
