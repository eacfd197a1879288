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

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rackforge.errors import InputError, Problem
from rackforge.store.schema import SessionRow, UserRow
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


def reissue_token(store: Store, name: str) -> tuple[User, str]:
    """A new token for user ``name`` (a revoked user is active again); the old token stops working."""
    with store.transaction() as s:
        row = _named(s, name)
        token = f"rf_{row.id}_{secrets.token_urlsafe(32)}"
        row.token_hash, row.revoked = _digest(token), None
        s.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
        return user_of(row), token


def list_users(store: Store) -> list[User]:
    """Every user, by organization and name."""
    with store.reading() as s:
        return [user_of(r) for r in s.scalars(select(UserRow).order_by(UserRow.organization, UserRow.name))]


def _named(s: Session, name: str) -> UserRow:
    row = s.scalars(select(UserRow).where(UserRow.name == name)).first()
    if row is None:
        raise InputError(Problem(("user",), f"no user `{name}`", "`rackforge user list` shows them", COMMAND_LINE))
    return row


def revoke_user(store: Store, name: str) -> User:
    """Revoke a user's token (the user stays, for the record of what it did)."""
    with store.transaction() as s:
        row = _named(s, name)
        row.revoked = row.revoked or now()
        s.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
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


def organizations(store: Store) -> set[str]:
    """The organizations users belong to (those a scenario can be shared with)."""
    with store.reading() as s:
        return set(s.scalars(select(UserRow.organization).distinct()))
