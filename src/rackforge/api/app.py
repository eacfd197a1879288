"""The web application: the REST API under ``/api/v1`` and the pages, over one store and one pool of run
workers. ``create_app(ServerSettings(...))`` builds it; ``rackforge serve`` runs it with uvicorn."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from rackforge import __version__
from rackforge.api.cache import Bodies
from rackforge.api.models import ErrorOut, InvalidOut, ProblemOut
from rackforge.api.workers import GRACE_S
from rackforge.errors import Problem

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class ServerSettings:
    """A server on the store at ``url`` with ``workers`` run workers (0: runs wait for another server's);
    each run's solvers get at most ``time_limit_s``; request bodies over ``max_body_bytes`` are refused
    (413); browser sessions last ``session_hours``; ``secure_cookies`` when served over HTTPS; a run still
    going ``grace_s`` after its time limit is stopped."""

    url: str
    workers: int = 2
    time_limit_s: float = 600.0
    max_body_bytes: int = 2_000_000
    session_hours: float = 12.0
    secure_cookies: bool = False
    poll_s: float = 0.5
    grace_s: float = GRACE_S


def create_app(settings: ServerSettings) -> FastAPI:
    """The application; its workers start and stop with it (the ASGI lifespan)."""
    from rackforge.api import pages, runs, scenarios
    from rackforge.api.workers import PoolSettings, WorkerPool
    from rackforge.store import Store

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = None
        with Store(settings.url) as store:
            app.state.store = store
            if settings.workers > 0:
                limits = (settings.time_limit_s, settings.poll_s, settings.grace_s)
                pool = WorkerPool(PoolSettings(settings.url, settings.workers, *limits))
                pool.start()
            app.state.pool = pool
            try:
                yield
            finally:
                if pool is not None:
                    pool.stop()

    about = "Plan AI data-center hardware programmes: scenarios, runs, results and comparisons."
    app = FastAPI(title="rackforge", version=__version__, lifespan=lifespan, description=about, docs_url=None,
                  redoc_url=None)  # fmt: skip
    app.state.settings = settings
    app.state.bodies = Bodies()
    app.include_router(scenarios.router, responses=COMMON)
    app.include_router(runs.router, responses=COMMON)
    app.include_router(pages.router)
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app


COMMON: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The body is not JSON."},
    401: {"model": ErrorOut, "description": "No token, or an unknown or revoked one."},
    403: {"model": ErrorOut, "description": "Your role may not do this, or the object is not your organization's."},
    413: {"model": ErrorOut, "description": "The request body is over the server's limit."},
    422: {"model": InvalidOut, "description": "The request or the scenario in it is not valid."},
}
"""Errors any endpoint of the API may answer, each with its body."""


async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """A request that does not fit its endpoint (an unknown field, a missing one, a wrong type) as a 422
    in the one shape every 422 has: the problems, each at its key path in the request."""
    problems = []
    for error in exc.errors():
        key = tuple(k if isinstance(k, int) else str(k) for k in error.get("loc", ()))
        what = str(error.get("msg", "invalid"))
        fix = "remove this field" if error.get("type") == "extra_forbidden" else "see the API's schema at /openapi.json"
        problems.append(ProblemOut.of(Problem(key, what, fix, "<request>")))
    body = InvalidOut(detail="; ".join(p.text for p in problems), problems=problems)
    return JSONResponse(jsonable_encoder(body), status_code=422)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    """An error as ``{"detail": ...}`` (a 422 of input problems as the body it carries); on a page, a page
    saying what happened (a redirect as itself)."""
    if not request.url.path.startswith("/api/") and exc.status_code >= 400:
        from rackforge.api.pages import error_page

        return error_page(request, exc.status_code, str(exc.detail))
    body = exc.detail if isinstance(exc.detail, dict) else {"detail": exc.detail}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


class BodyLimit:
    """Refuse a request whose body is over ``limit`` bytes with 413, by its ``Content-Length`` or, when
    it sends none, by counting what arrives (the body is read before the application sees it)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or ()).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await _too_large(send, self.limit)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _too_large(send, self.limit)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"the request body is over {limit:,} bytes; send a smaller scenario"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
