"""Browser sessions of the web application: a cookie of 256 random bits, kept in the store only as its
SHA-256 (like an API token), with the token the session's forms carry against cross-site requests."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select

from rackforge.store.schema import SessionRow, UserRow
from rackforge.store.store import Store, as_utc, now
from rackforge.store.users import User, user_of


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(store: Store, user: User, hours: float) -> tuple[str, str]:
    """A new session of ``user`` lasting ``hours``: its cookie value and its CSRF token."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with store.transaction() as s:
        s.add(SessionRow(token_hash=_digest(token), user_id=user.id, csrf=csrf, created=now(),
                         expires=now() + dt.timedelta(hours=hours)))  # fmt: skip
    return token, csrf


def session_user(store: Store, token: str) -> tuple[User, str] | None:
    """The active user of the unexpired session ``token`` and its CSRF token, or ``None``."""
    with store.reading() as s:
        found = s.execute(
            select(SessionRow, UserRow).join(UserRow, SessionRow.user_id == UserRow.id)
            .where(SessionRow.token_hash == _digest(token))
        ).first()  # fmt: skip
        if found is None:
            return None
        session, user = found
        expires = as_utc(session.expires)
        if user.revoked is not None or expires is None or expires <= now():
            return None
        return user_of(user), session.csrf


def close_session(store: Store, token: str) -> None:
    """End the session ``token`` (signing out)."""
    with store.transaction() as s:
        s.execute(delete(SessionRow).where(SessionRow.token_hash == _digest(token)))
