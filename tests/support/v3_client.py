"""A blocking HTTP client on an in-process ASGI app (httpx over ASGITransport)."""

from __future__ import annotations

from typing import Any

import anyio.from_thread
import httpx

from ipfleet.api.app import IpfleetApp


class Client:
    """A blocking HTTP client on an in-process ASGI app (httpx over ASGITransport)."""

    def __init__(self, portal: anyio.from_thread.BlockingPortal, app: IpfleetApp) -> None:
        self.portal = portal
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(lambda: self.http.request(method, url, **kwargs))

    def close(self) -> None:
        self.portal.call(self.http.aclose)
