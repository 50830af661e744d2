"""The dashboard's ASGI application, mounted under ``/ui`` by ``api.app``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from importlib.resources import files
from typing import Any

from litestar import Litestar, MediaType, Request, Response, get
from litestar.datastructures import State
from litestar.exceptions import HTTPException

from ipfleet.config import Settings
from ipfleet.domain.errors import (
    Forbidden,
    IpfleetError,
    NotFound,
    TooLarge,
    TooManyFailures,
    Unauthorized,
)
from ipfleet.request_id import request_id_of
from ipfleet.services.guard import AuthGuard
from ipfleet.store.uow import Database
from ipfleet.web import auth, operator_pages, reseller
from ipfleet.web.context import PREFIX, REQUEST_ID_KEY, PathText, SignInNeeded, Ui, see_other
from ipfleet.web.render import render
from ipfleet.web.session import anonymous

log = logging.getLogger("ipfleet.web")
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

#: Everything comes from this origin; no script at all; no framing; forms post back here.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]
STATIC = {"app.css": "text/css; charset=utf-8"}


def _status(exc: IpfleetError) -> int:
    kinds = (
        (Unauthorized, 401),
        (Forbidden, 403),
        (NotFound, 404),
        (TooLarge, 413),
        (TooManyFailures, 429),
    )
    return next((status for kind, status in kinds if isinstance(exc, kind)), 400)


def _error_page(status: int, message: str) -> Response[str]:
    html = render("error.html", session=anonymous(), status=status, message=message)
    return Response(html, status_code=status, media_type=MediaType.HTML)


def _on_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Every failure as a page: sign-in needed, the error tree, HTTP errors, and bugs."""
    if isinstance(exc, SignInNeeded):
        return see_other(f"{PREFIX}/login")
    if isinstance(exc, IpfleetError):
        return _error_page(_status(exc), exc.message)
    if isinstance(exc, HTTPException):
        found = exc.status_code != 404
        return _error_page(exc.status_code, str(exc.detail) if found else "Page not found")
    rid = request.scope.get(REQUEST_ID_KEY, "")
    log.exception("unexpected error on %s (request %s)", request.url.path, rid)
    return _error_page(500, f"Something went wrong on our side (request id {rid})")


def _static_files() -> dict[str, bytes]:
    root = files("ipfleet.web").joinpath("static")
    return {name: root.joinpath(name).read_bytes() for name in STATIC}


def _static_handler(assets: dict[str, bytes]) -> Any:
    @get(f"{PREFIX}/static/{{name:str}}", sync_to_thread=False)
    def static(name: PathText) -> Response[bytes]:
        if name not in assets:
            return _error_page(404, "Page not found")  # type: ignore[return-value]
        return Response(assets[name], media_type=STATIC[name])

    return static


def _litestar(ui: Ui) -> Litestar:
    handlers = [*auth.HANDLERS, *reseller.HANDLERS, *operator_pages.HANDLERS]
    return Litestar(
        route_handlers=[*handlers, _static_handler(_static_files())],
        exception_handlers={Exception: _on_error},
        request_max_body_size=ui.settings.max_body_bytes,
        state=State({"ui": ui}),
        openapi_config=None,
        logging_config=None,  # logging is set up once per worker (ipfleet.logs)
        debug=False,
    )


class WebApp:
    """Serves ``/ui``: every answer carries the security headers and the request id."""

    def __init__(self, db: Database, settings: Settings, guard: AuthGuard) -> None:
        self.app = _litestar(Ui(db, settings, guard))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rid = request_id_of(scope)
        scope[REQUEST_ID_KEY] = rid

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                extra = [*HEADERS, (b"x-request-id", rid.encode())]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)  # type: ignore[arg-type]


def is_ui(path: str) -> bool:
    """Whether a request path belongs to the dashboard."""
    return path == PREFIX or path.startswith(PREFIX + "/")
