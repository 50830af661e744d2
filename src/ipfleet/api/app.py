"""The ASGI application factory: v2 on a plain handler, everything else on Litestar."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import MutableMapping
from typing import Any, cast

from anyio import to_thread
from litestar import Litestar, MediaType, Request, Response, get
from litestar.exceptions import HTTPException

from ipfleet import __version__, logs, prometheus
from ipfleet.api import access, metrics
from ipfleet.api.body import (
    DRAIN_FACTOR,
    GuardedReceive,
    Receive,
    Scope,
    Send,
    Slots,
    drain,
    has_body,
)
from ipfleet.api.db_time import DB_TIME
from ipfleet.api.edge import Edge
from ipfleet.api.v2.app import PREFIX, V2App
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


def _problem_response(
    status: int, title: str, headers: dict[str, str] | None = None
) -> Response[Any]:
    body = {"type": "about:blank", "title": title, "status": status}
    return Response(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


def _own_routes(db: Database, settings: Settings) -> Litestar:
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

    @get("/readyz", media_type=MediaType.JSON)
    async def readyz() -> Response[dict[str, Any]]:
        """200 only while the database answers; 503 otherwise (no details: they may name
        hosts). For load balancers: take the node out while its database is away."""
        if await database_answers(db):
            return Response({"status": "ready"})
        return _problem_response(503, "database unavailable")

    @get("/metrics")
    async def metrics_page(request: Request[Any, Any, Any]) -> Response[Any]:
        """Prometheus metrics: with IPFLEET_METRICS_TOKEN as a bearer token, else loopback only."""
        token = settings.metrics_token
        if not metrics.may_scrape(cast("MutableMapping[str, Any]", request.scope), token):
            if token:
                return _problem_response(
                    401, "metrics need the token", {"www-authenticate": "Bearer"}
                )
            return _problem_response(403, "metrics are served to loopback clients only")
        return Response(await metrics.scrape(db), media_type=prometheus.CONTENT_TYPE)

    return Litestar(
        route_handlers=[index, healthz, readyz, metrics_page],
        exception_handlers={HTTPException: _problem},
        on_shutdown=[db.dispose],
        openapi_config=None,
        logging_config=None,  # logging is set up once per worker (ipfleet.logs)
    )


READY_TIMEOUT_S = 3.0


async def database_answers(db: Database) -> bool:
    """Whether the database answers ``SELECT 1`` within ``READY_TIMEOUT_S``."""

    def ping() -> None:
        db.read(lambda uow: uow.conn.exec_driver_sql("SELECT 1").scalar())

    try:
        async with asyncio.timeout(READY_TIMEOUT_S):
            await to_thread.run_sync(ping, abandon_on_cancel=True)
    except Exception as exc:  # any failure to answer means not ready
        log.warning("readiness check: the database does not answer (%s)", type(exc).__name__)
        return False
    return True


class IpfleetApp:
    """Routes ``/apiv2/`` to the v2 handler, ``/v3`` to the v3 app, ``/ui`` to the dashboard,
    the rest to Litestar."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = Database(settings.database_url)
        self.db.observe_with(DB_TIME.observe)
        self.edge = Edge(self.db, settings)
        self.v2 = V2App(self.db, settings, self.edge)
        self.v3 = V3App(self.db, settings, self.edge)
        self.ui = WebApp(self.db, settings, self.edge.guard)
        self.own = _own_routes(self.db, settings)
        self.slots = Slots(settings.max_in_flight)
        # Access log and metrics around every request, whichever app answers it.
        self.observer = access.Edge(access_log=settings.access_log)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.observer.observe(self._route, scope, receive, send)

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
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


def serve_app() -> IpfleetApp:
    """The application of a server worker (granian's factory): logging set up, then the app."""
    settings = load_settings()
    logs.configure(log_format=settings.log_format, level=settings.log_level)
    return IpfleetApp(settings)
