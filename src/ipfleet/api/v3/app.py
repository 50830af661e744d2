"""The /v3 application: SendGrid's v3 IP, pool, warmup, subuser and key endpoints."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import msgspec
from litestar import Litestar, Response, route
from litestar.datastructures import State
from litestar.di import Provide
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig

from ipfleet.api.body import Receive, Scope, Send
from ipfleet.api.edge import Edge
from ipfleet.api.v3 import history, ips, keys, pools, send_ip_pools, send_ips, subusers, warmup
from ipfleet.api.v3.auth import authenticate, provide_actor, provide_caller, provide_db
from ipfleet.api.v3.body import strict_body
from ipfleet.api.v3.docs import HANDLERS as PAGE_HANDLERS
from ipfleet.api.v3.errors import REQUEST_ID_KEY, error_response, status_of
from ipfleet.api.v3.list_cache import ListCache
from ipfleet.api.v3.openapi import HANDLERS as DOC_HANDLERS
from ipfleet.api.v3.openapi import PUBLIC, openapi_config
from ipfleet.api.v3.schemas import ErrorBody, ErrorItem
from ipfleet.config import Settings
from ipfleet.domain.errors import IpfleetError, Unavailable
from ipfleet.request_id import request_id_of
from ipfleet.store.uow import Database

PREFIX = "/v3"


def _options(path: str, allow: str) -> HTTPRouteHandler:
    @route(path, http_method=["OPTIONS"], opt=PUBLIC, include_in_schema=False, status_code=204)
    async def options() -> Response[None]:
        return Response(None, status_code=204, headers={"allow": allow})

    return options


def options_handlers(handlers: list[HTTPRouteHandler]) -> list[HTTPRouteHandler]:
    """An OPTIONS handler for each path, answering its methods in ``allow`` (no key needed).

    Litestar 2.25 makes one itself, but it lists only the methods of the path's first
    handler when several handlers share a path, so ipfleet registers its own, first.
    """
    methods: dict[str, set[str]] = {}
    for handler in handlers:
        if handler.opt.get("not_served"):
            continue  # answers only that ipfleet does not serve the call
        for path in handler.paths:
            methods.setdefault(path, {"OPTIONS"}).update(handler.http_methods)
    return [_options(path, ", ".join(sorted(m))) for path, m in methods.items()]


def _litestar(db: Database, settings: Settings, edge: Edge) -> Litestar:
    api = [
        *ips.HANDLERS,
        *history.HANDLERS,
        *pools.HANDLERS,
        *warmup.HANDLERS,
        *subusers.HANDLERS,
        *keys.HANDLERS,
        *send_ips.HANDLERS,
        *send_ip_pools.HANDLERS,
    ]
    config: OpenAPIConfig = openapi_config()
    return Litestar(
        route_handlers=[
            *options_handlers([*api, *DOC_HANDLERS, *PAGE_HANDLERS]),
            *api,
            *DOC_HANDLERS,
            *PAGE_HANDLERS,
        ],
        guards=[authenticate],
        before_request=strict_body,
        dependencies={
            "db": Provide(provide_db, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False),
            "caller": Provide(provide_caller, sync_to_thread=False),
            "actor": Provide(provide_actor, sync_to_thread=False),
        },
        exception_handlers={Exception: error_response},
        request_max_body_size=settings.max_body_bytes,
        state=State({"db": db, "edge": edge, "max_body_bytes": settings.max_body_bytes}),
        openapi_config=config,
        logging_config=None,  # logging is set up once per worker (ipfleet.logs)
        debug=False,
    )


class V3App:
    """Serves ``/v3/...``; every answer carries the request id in ``x-request-id``."""

    def __init__(self, db: Database, settings: Settings, edge: Edge) -> None:
        self.app = _litestar(db, settings, edge)
        self.lists = ListCache(db, edge, settings.v3_cache_mb * 1024 * 1024)

    async def refuse(self, scope: Scope, send: Send, error: IpfleetError) -> None:
        """Answer ``error`` without reading the request (the worker is too busy)."""
        body = msgspec.json.encode(ErrorBody([ErrorItem(None, error.message)]))
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", request_id_of(scope).encode()),
        ]
        if isinstance(error, Unavailable):
            headers.append((b"retry-after", str(error.retry_after).encode()))
        await send({"type": "http.response.start", "status": status_of(error), "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rid = request_id_of(scope)
        scope[REQUEST_ID_KEY] = rid

        async def send_with_id(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        await self.lists.serve(scope, receive, send_with_id, self.app)


def is_v3(path: str) -> bool:
    """Whether a request path belongs to the v3 application."""
    return path == PREFIX or path.startswith(PREFIX + "/")
