"""The one place that turns every failure under /v3 into SendGrid's v3 error shape.

``{"errors":[{"field":F,"message":M}]}`` with F the offending field or null; the two pool
routes marked ``legacy_404`` answer their 404s as ``{"error":M}``, as SendGrid's schema
files say (docs/v3.md, Errors). ipfleet's errors get their status from their kind;
Litestar's own (routing, validation, body size, bad JSON) and the strict body check of
``body.py`` are reworded into the same shape; anything else is a bug: logged with the
request id and answered 500 in the same shape.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    SerializationException,
    ValidationException,
)

from ipfleet.api.v3.body import field_and_message
from ipfleet.api.v3.schemas import ErrorBody, ErrorItem, LegacyError
from ipfleet.domain.errors import (
    BodyTimeout,
    Forbidden,
    InvalidParameter,
    IpfleetError,
    MethodNotAllowed,
    MissingParameter,
    NotFound,
    PayloadTooLarge,
    TooLarge,
    TooManyFailures,
    Unauthorized,
    Unavailable,
)

log = logging.getLogger("ipfleet.api.v3")

PARSE_ERROR = "failed to parse the request body as a JSON payload"
REQUEST_ID_KEY = "ipfleet.request_id"
_REQUIRED = re.compile(r"required field `([^`]+)`")


# The first kind an error is an instance of gives its status; anything else is a 400.
STATUS_BY_KIND: tuple[tuple[type[IpfleetError], int], ...] = (
    (TooManyFailures, 429),
    (Unavailable, 503),
    (BodyTimeout, 408),
    (Unauthorized, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (MethodNotAllowed, 405),
    (TooLarge, 413),
)


def status_of(exc: IpfleetError) -> int:
    """The HTTP status of an ipfleet error, by its kind (conflicts are 400s, as SendGrid's)."""
    return next((status for kind, status in STATUS_BY_KIND if isinstance(exc, kind)), 400)


def items_of(exc: IpfleetError) -> list[ErrorItem]:
    """One error item per offending thing the error names."""
    if isinstance(exc, MissingParameter):
        return [ErrorItem(n, d) for n, d in zip(exc.names, exc.details, strict=True)]
    if isinstance(exc, InvalidParameter):
        return [ErrorItem(exc.name, exc.message)]
    field = exc.field
    return [ErrorItem(field, d) for d in exc.details] or [ErrorItem(field, exc.message)]


def _validation_items(exc: ValidationException) -> list[ErrorItem]:
    items: list[ErrorItem] = []
    for entry in exc.extra if isinstance(exc.extra, list) else []:
        key, message = entry.get("key"), str(entry.get("message", exc.detail))
        if entry.get("source") == "body" and key == "data":
            if message == "'data'":  # no body at all
                return [ErrorItem(None, PARSE_ERROR)]
            required = _REQUIRED.search(message)
            key = required.group(1) if required else None
        items.append(ErrorItem(key, message))
    return items or [ErrorItem(None, exc.detail)]


def _litestar_error(exc: HTTPException, limit: int) -> tuple[int, list[ErrorItem]]:
    if isinstance(exc, ValidationException):
        return 400, _validation_items(exc)
    if isinstance(exc.__cause__, SerializationException) or "JSON is malformed" in exc.detail:
        return 400, [ErrorItem(None, PARSE_ERROR)]
    if isinstance(exc, NotFoundException):
        return 404, [ErrorItem(None, "resource not found")]
    if isinstance(exc, MethodNotAllowedException):
        return 405, [ErrorItem(None, "method not allowed")]
    if exc.status_code == 413:
        return 413, [ErrorItem(None, PayloadTooLarge(limit).message)]
    return exc.status_code, [ErrorItem(None, exc.detail)]


def _send_ips_shape(status: int, exc: Exception, items: list[ErrorItem]) -> tuple[int, ErrorBody]:
    """/v3/send_ips answers as SendGrid's file says: what it cannot find is a 400 naming
    the field, and an error about no field names ``""`` (its schema has no null)."""
    if status == 404 and isinstance(exc, IpfleetError):
        status = 400
    return status, ErrorBody([ErrorItem(i.field or "", i.message) for i in items])


def request_id(request: Request[Any, Any, Any]) -> str:
    """The id this request is logged and answered under (set by the v3 ASGI wrapper)."""
    return str(request.scope.get(REQUEST_ID_KEY, "-"))


def error_response(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The v3 answer to any exception raised while serving a /v3 request."""
    headers: dict[str, str] = {}
    limit = int(request.app.state.get("max_body_bytes", 0))
    if isinstance(exc, IpfleetError):
        status, items = status_of(exc), items_of(exc)
        if isinstance(exc, Unavailable):
            headers["retry-after"] = str(exc.retry_after)
    elif isinstance(exc, msgspec.ValidationError):
        status, items = 400, [ErrorItem(*field_and_message(exc))]
    elif isinstance(exc, msgspec.DecodeError):
        status, items = 400, [ErrorItem(None, PARSE_ERROR)]
    elif isinstance(exc, HTTPException):
        status, items = _litestar_error(exc, limit)
        if status == 405 and exc.headers:
            headers["allow"] = exc.headers.get("allow", "")
    else:
        rid = request_id(request)
        log.error(
            "unexpected error serving %s %s (request %s)",
            request.method,
            request.url.path,
            rid,
            exc_info=exc,
        )
        status, items = 500, [ErrorItem(None, f"internal error (request id {rid})")]
    if status == 401:
        headers["www-authenticate"] = "Bearer"
    handler = request.scope.get("route_handler")
    body: Any = ErrorBody(items)
    if status == 404 and handler is not None and handler.opt.get("legacy_404"):
        body = LegacyError(items[0].message)
    elif handler is not None and handler.opt.get("send_ips"):
        status, body = _send_ips_shape(status, exc, items)
    return Response(body, status_code=status, headers=headers, media_type=MediaType.JSON)
