"""The edge every HTTP request passes: its request id, its metrics, and the access log.

Every answered request is counted (``api/metrics.py``). The access log
(``IPFLEET_ACCESS_LOG=true``) writes one record per request on the ``ipfleet.access``
logger: request id, method, route template, status, duration, actor. Never the query
string, body or headers, where the secrets travel.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ipfleet.api import metrics
from ipfleet.request_id import request_id_of

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


class Edge:
    """The edge of the application: each request's id, metrics and access record."""

    def __init__(self, access_log: bool) -> None:
        self.access_log = access_log

    async def observe(self, app: App, scope: Scope, receive: Receive, send: Send) -> None:
        """Run ``app`` on the request; count it, and log it if the access log is on."""
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        rid = request_id_of(scope)
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
            seconds = time.perf_counter() - start
            metrics.observe(scope, route_of(scope), status, seconds)
            if self.access_log:
                self._record(scope, rid, status, seconds)

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
