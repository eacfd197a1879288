"""The web application under test: served through httpx's ASGI transport with its lifespan run (so its
run workers start and stop), called synchronously from the tests, and its users."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal

from rackforge.api import ServerSettings, create_app
from rackforge.store import Store
from rackforge.store.users import Role, add_user

USERS = {
    "lab-viewer": ("lab", Role.VIEWER),
    "lab-planner": ("lab", Role.PLANNER),
    "lab-admin": ("lab", Role.ADMIN),
    "maker-viewer": ("maker", Role.VIEWER),
    "maker-planner": ("maker", Role.PLANNER),
}
"""Users of two organizations, the lab and the manufacturer, in every role."""


@dataclass
class Web:
    """A running application: ``call(method, url, user=...)`` as one of :data:`USERS` (``None``: no token)."""

    portal: BlockingPortal
    client: httpx.AsyncClient
    tokens: dict[str, str]
    settings: ServerSettings
    app: Any = None
    calls: list[tuple[str, str]] = field(default_factory=list)

    def call(self, method: str, url: str, user: str | None = "lab-planner", **kw: Any) -> httpx.Response:
        headers = dict(kw.pop("headers", {}))
        if user is not None:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        self.calls.append((method, url))
        send = functools.partial(self.client.request, method, url, headers=headers, **kw)
        return self.portal.call(send)

    def sign_in(self, user: str) -> httpx.AsyncClient:
        """A browser-like client of ``user`` signed in through the sign-in form (its session cookie kept)."""
        client = httpx.AsyncClient(transport=self.client._transport, base_url="http://testserver")
        form = self.portal.call(client.get, "/login").text
        nonce = re.search(r'name="nonce" value="([^"]+)"', form)
        assert nonce is not None
        data = {"token": self.tokens[user], "nonce": nonce.group(1)}
        signed = self.portal.call(functools.partial(client.post, "/login", data=data))
        assert signed.status_code == 303, signed.text
        return client

    def get(self, client: httpx.AsyncClient, url: str, **kw: Any) -> httpx.Response:
        """``GET url`` with a signed-in client."""
        return self.portal.call(functools.partial(client.get, url, **kw))

    def post(self, client: httpx.AsyncClient, url: str, **kw: Any) -> httpx.Response:
        """``POST url`` with a signed-in client."""
        return self.portal.call(functools.partial(client.post, url, **kw))

    def wait(self, run_id: int, user: str = "lab-planner", timeout_s: float = 120.0) -> dict[str, Any]:
        """The run once it has ended (polled every 0.2 s, at most ``timeout_s``)."""
        end = time.monotonic() + timeout_s
        while True:
            run: dict[str, Any] = self.call("GET", f"/api/v1/runs/{run_id}", user).json()
            if run["status"] in ("done", "failed", "cancelled") or time.monotonic() > end:
                return run
            time.sleep(0.2)


def make_users(url: str) -> dict[str, str]:
    """Add :data:`USERS` to the store at ``url``; their tokens."""
    with Store(url) as store:
        return {name: add_user(store, name, org, role)[1] for name, (org, role) in USERS.items()}


@contextmanager
def serve(settings: ServerSettings, tokens: dict[str, str]) -> Iterator[Web]:
    """The application of ``settings`` running (lifespan entered) behind an ASGI-transport client."""
    app = create_app(settings)
    with ExitStack() as stack:
        portal = stack.enter_context(start_blocking_portal())
        stack.enter_context(portal.wrap_async_context_manager(app.router.lifespan_context(app)))
        transport = httpx.ASGITransport(app=app)
        client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        stack.callback(lambda: portal.call(client.aclose))
        yield Web(portal, client, tokens, settings, app)
