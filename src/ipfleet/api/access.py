"""The edge every HTTP request passes: its request id, and the access log.

The access log (``IPFLEET_ACCESS_LOG=true``) writes one record per request on the
``ipfleet.access`` logger: request id, method, route template, status, duration, actor.
Never the query string, body or headers, where the secrets travel.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ipfleet.api.request_id import request_id_of

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("ipfleet.access")

#: Set in the scope by the APIs once they know them: who called, and the route template.
ACTOR_KEY = "ipfleet.actor"
ROUTE_KEY = "ipfleet.route"


def route_of(scope: MutableMapping[str, Any]) -> str:
    """The route template of a served request (never the raw path: it may name anything)."""
    found = scope.get(ROUTE_KEY) or scope.get("path_template")
    return str(found) if found else "(unrouted)"


App = Callable[[Scope, Receive, Send], Awaitable[None]]


class AccessLog:
    """The edge of the application: gives each request its id and logs it when it ends."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    async def observe(self, app: App, scope: Scope, receive: Receive, send: Send) -> None:
        """Run ``app`` on the request, logging it when it ends (if the log is on)."""
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        rid = request_id_of(scope)
        if not self.enabled:
            await app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 0

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await app(scope, receive, watched)
        finally:
            self._record(scope, rid, status, time.perf_counter() - start)

    def _record(self, scope: Scope, rid: str, status: int, seconds: float) -> None:
        fields = {
            "request_id": rid,
            "method": scope.get("method"),
            "route": route_of(scope),
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "actor": scope.get(ACTOR_KEY),
        }
        log.info(
            "%s %s %s %.1fms rid=%s actor=%s",
            fields["method"],
            fields["route"],
            status,
            fields["duration_ms"],
            rid,
            fields["actor"] or "-",
            extra={"fields": fields},
        )
