"""Who is calling: an API token (``Authorization: Bearer rf_...``) or a browser session cookie, and what
the caller's role allows.

A session-authenticated request that changes anything must carry the session's CSRF token (the
``X-CSRF-Token`` header, or the ``csrf`` field of a form): a cookie is sent by the browser on any site's
request, the token only by rackforge's own pages. Bearer requests need none (no browser adds them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from rackforge.store import Store
from rackforge.store.users import Role, User, authenticate

SESSION_COOKIE = "rackforge_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RANK = {Role.VIEWER: 0, Role.PLANNER: 1, Role.ADMIN: 2}


@dataclass(frozen=True)
class Caller:
    """The user behind a request, and the CSRF token of its session (``None`` for a bearer token)."""

    user: User
    csrf: str | None = None

    @property
    def organization(self) -> str:
        return self.user.organization

    def may(self, role: Role) -> bool:
        """Whether the caller's role is ``role`` or above."""
        return RANK[self.user.role] >= RANK[role]


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def identify(request: Request) -> Caller | None:
    """The caller of ``request`` by its bearer token or session cookie, or ``None``."""
    from rackforge.store.sessions import session_user

    store = store_of(request)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        user = authenticate(store, token.strip())
        return None if user is None else Caller(user)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = session_user(store, cookie)
        if found is not None:
            return Caller(*found)
    return None


BEARER = HTTPBearer(auto_error=False, description="An API token from `rackforge user add` or `user token`.")
"""The token scheme, declared so the OpenAPI document says how every endpoint authenticates."""


async def caller(request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]) -> Caller:
    """The authenticated caller; 401 without valid credentials, 403 for a cookie request without its CSRF
    token."""
    who = identify(request)
    if who is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "sign in, or send `Authorization: Bearer TOKEN` (a token from `rackforge user add`)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if who.csrf is not None and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            sent = (await request.form()).get("csrf")  # type: ignore[assignment]
        if sent != who.csrf:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "this form or request lacks its CSRF token; reload the page")
    return who


def planner(who: Annotated[Caller, Depends(caller)]) -> Caller:
    """A caller who may change scenarios and start runs (planner or admin); 403 for a viewer."""
    if not who.may(Role.PLANNER):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"a {who.user.role} may only read; ask for the planner role")
    return who


Reader = Annotated[Caller, Depends(caller)]
Writer = Annotated[Caller, Depends(planner)]
