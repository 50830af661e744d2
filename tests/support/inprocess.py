"""The one in-process client: the whole ASGI app, built as ``ipfleet serve`` builds it, driven
from sync tests through httpx's ASGITransport on the session's event-loop portal.

``make_client`` (tests/conftest.py) builds these on the test's database; ``V2Forms`` posts
v2 calls the way v2 scripts do, on top of one.
"""

from __future__ import annotations

from typing import Any, Protocol

import anyio.from_thread
import httpx

from ipfleet.api.app import IpfleetApp, create_app
from ipfleet.config import Settings


class Client:
    """A blocking HTTP client on an app in this process; ``close`` also disposes the app's
    database engine."""

    def __init__(
        self,
        portal: anyio.from_thread.BlockingPortal,
        app: IpfleetApp,
        peer: tuple[str, int] = ("127.0.0.1", 123),
    ) -> None:
        self.portal = portal
        self.app = app
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=peer), base_url="http://testserver"
        )

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(lambda: self.http.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        self.portal.call(self.http.aclose)
        self.app.db.dispose()


def fetch(
    portal: anyio.from_thread.BlockingPortal,
    settings: Settings,
    paths: list[str],
    *,
    peer: tuple[str, int] = ("127.0.0.1", 123),
    headers: dict[str, str] | None = None,
) -> list[httpx.Response]:
    """GET each path, in order, from ``peer`` on a new app built with ``settings``."""
    client = Client(portal, create_app(settings), peer)
    try:
        return [client.get(path, headers=headers) for path in paths]
    finally:
        client.close()


class Credentials(Protocol):
    def auth(self) -> dict[str, str]:
        """``api_user`` and ``api_key``."""
        ...


class V2Forms:
    """v2 calls with an account's credentials: ``call`` POSTs a form, ``get`` a query."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def call(self, call: str, fmt: str, auth: Credentials, **params: Any) -> httpx.Response:
        """POST ``/apiv2/<call>.<fmt>`` with a form body (lists become ``name[]=``)."""
        data: dict[str, Any] = {}
        for name, value in params.items():
            data[f"{name}[]" if isinstance(value, list) else name] = value
        data.update(auth.auth())
        return self.client.post(f"/apiv2/{call}.{fmt}", data=data)

    def get(self, call: str, fmt: str, auth: Credentials, **params: str) -> httpx.Response:
        """GET with every parameter in the query string."""
        return self.client.get(f"/apiv2/{call}.{fmt}", params={**params, **auth.auth()})
