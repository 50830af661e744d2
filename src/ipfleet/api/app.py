"""The ASGI application factory: v2 on a plain handler, everything else on Litestar."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Litestar, MediaType, Request, Response, get
from litestar.exceptions import HTTPException

from ipfleet import __version__
from ipfleet.api.body import DRAIN_FACTOR, GuardedReceive, Slots, drain, has_body
from ipfleet.api.edge import Edge
from ipfleet.api.v2.app import PREFIX, Receive, Scope, Send, V2App
from ipfleet.api.v3.app import V3App, is_v3
from ipfleet.config import Settings, load_settings
from ipfleet.domain.errors import Busy
from ipfleet.store.uow import Database
from ipfleet.web.app import WebApp, is_ui

log = logging.getLogger("ipfleet.api")


def _problem(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """RFC 9457 problem JSON for ipfleet's own endpoints."""
    return Response(
        {"type": "about:blank", "title": exc.detail, "status": exc.status_code},
        status_code=exc.status_code,
        media_type="application/problem+json",
    )


def _own_routes(db: Database) -> Litestar:
    @get("/", media_type=MediaType.JSON)
    async def index() -> dict[str, Any]:
        return {
            "name": "ipfleet",
            "version": __version__,
            "apis": {"v2": "/apiv2/", "v3": "/v3/docs"},
            "dashboard": "/ui/",
        }

    @get("/healthz", media_type=MediaType.JSON)
    async def healthz() -> dict[str, str]:
        db.read(lambda uow: uow.conn.exec_driver_sql("SELECT 1").scalar())
        return {"status": "ok"}

    return Litestar(
        route_handlers=[index, healthz],
        exception_handlers={HTTPException: _problem},
        on_shutdown=[db.dispose],
        openapi_config=None,
    )


class IpfleetApp:
    """Routes ``/apiv2/`` to the v2 handler, ``/v3`` to the v3 app, ``/ui`` to the dashboard,
    the rest to Litestar."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = Database(settings.database_url)
        self.edge = Edge(self.db, settings)
        self.v2 = V2App(self.db, settings, self.edge)
        self.v3 = V3App(self.db, settings, self.edge)
        self.ui = WebApp(self.db, settings, self.edge.guard)
        self.own = _own_routes(self.db)
        self.slots = Slots(settings.max_in_flight)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        api: V2App | V3App | None = None
        if scope["type"] == "http":
            api = self.v2 if scope["path"].startswith(PREFIX) else None
            api = self.v3 if is_v3(scope["path"]) else api
            if is_ui(scope["path"]):
                # The dashboard's forms are small: the same total deadline and minimum rate
                # apply to their bodies; its pages are not counted against the API's slots.
                await self.ui(scope, self._guarded(receive), send)
                return
        if api is None:
            await self.own(scope, receive, send)  # type: ignore[arg-type]
            return
        upload = has_body(scope)
        if not self.slots.enter(upload):
            await api.refuse(scope, send, Busy())
            return
        try:
            guarded = self._guarded(receive)
            await api(scope, guarded, send)
            if upload:
                await drain(guarded, DRAIN_FACTOR * self.settings.max_body_bytes)
        finally:
            self.slots.leave(upload)

    def _guarded(self, receive: Receive) -> GuardedReceive:
        """``receive`` with a total deadline and a minimum rate for the request's body."""
        return GuardedReceive(
            receive, total_s=self.settings.body_timeout_s, min_rate=self.settings.body_min_rate
        )


def create_app(settings: Settings | None = None) -> IpfleetApp:
    """A new application; settings are read from the environment when not given."""
    return IpfleetApp(settings or load_settings())
