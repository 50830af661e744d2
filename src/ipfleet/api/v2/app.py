"""The v2 ASGI endpoint: a plain handler, since every byte of the answer is prescribed."""

from __future__ import annotations

import logging

from ipfleet.api.access import ACTOR_KEY, ROUTE_KEY, Receive, Scope, Send
from ipfleet.api.metrics import AUTH_FAILED_KEY, V2_CACHE
from ipfleet.api.request_id import request_id_of
from ipfleet.api.v2.cache import AnswerCache, cache_key
from ipfleet.api.v2.calls import CALLS
from ipfleet.api.v2.errors import V2Error, internal_error, to_v2, unknown_format
from ipfleet.api.v2.params import parse_params
from ipfleet.api.v2.render import JSON_TYPE, XML_TYPE, php_json, xml_document
from ipfleet.api.v2.request import V2Request
from ipfleet.config import Settings
from ipfleet.domain.errors import (
    IpfleetError,
    MethodNotAllowed,
    PayloadTooLarge,
    Unauthorized,
    UnknownCall,
)
from ipfleet.domain.records import Actor
from ipfleet.services.authentication import authenticate
from ipfleet.store.uow import Database

log = logging.getLogger("ipfleet.api.v2")
PREFIX = "/apiv2/"
FORMATS = ("json", "xml")


class V2App:
    """Serves ``/apiv2/<module>.<action>.<format>``."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.cache = AnswerCache(settings.v2_cache_mb * 1024 * 1024)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rid = request_id_of(scope)
        name, _, fmt = scope["path"][len(PREFIX) :].rpartition(".")
        known = name in CALLS and fmt in FORMATS
        scope[ROUTE_KEY] = f"{PREFIX}{name}.{fmt}" if known else f"{PREFIX}(unknown)"
        if fmt not in FORMATS:
            await self._send_error(send, unknown_format(fmt), "json", rid)
            return
        try:
            body = await self._handle(scope, receive, name, fmt, rid)
        except IpfleetError as exc:
            if isinstance(exc, Unauthorized):
                scope[AUTH_FAILED_KEY] = True
            await self._send_error(send, to_v2(exc, name), fmt, rid)
            return
        except ClientGone:
            return  # nobody is listening; the server closes the connection
        except Exception:
            log.exception("unexpected error in v2 call %s (request %s)", name, rid)
            await self._send_error(send, internal_error(rid), fmt, rid)
            return
        await _respond(send, 200, body, fmt, rid)

    async def _handle(self, scope: Scope, receive: Receive, name: str, fmt: str, rid: str) -> bytes:
        handler = CALLS.get(name)
        if handler is None:
            raise UnknownCall(f"Unknown API call: {name}")
        method = scope["method"]
        if method not in ("GET", "POST"):
            raise MethodNotAllowed(method)
        body = await _read_body(scope, receive, self.settings.max_body_bytes)
        params = parse_params(
            scope.get("query_string", b""),
            body,
            _header(scope, b"content-type"),
            self.settings.max_ips_per_request,
        )
        account = authenticate(
            self.db, username=params.get("api_user") or "", api_key=params.get("api_key") or ""
        )
        key = cache_key(name, fmt, params) if self.cache.max_bytes else None
        if key is not None:
            hit = self.cache.get(account.id, account.data_version, key)
            V2_CACHE.labels("miss" if hit is None else "hit").inc()
            if hit is not None:
                return hit
        actor = Actor(name=f"v2:{account.username}", request_id=rid)
        scope[ACTOR_KEY] = actor.name
        result = await handler(V2Request(self.db, self.settings, account, actor, params))
        body = php_json(result.json) if fmt == "json" else xml_document(result.xml)
        if key is not None:
            self.cache.put(account.id, account.data_version, key, body)
        return body

    async def _send_error(self, send: Send, err: V2Error, fmt: str, rid: str) -> None:
        status = err.status if (err.always_status or self.settings.v2_http_errors) else 200
        body = php_json(err.json) if fmt == "json" else xml_document(err.xml)
        extra = [(b"allow", b"GET, POST")] if err.status == 405 else []
        await _respond(send, status, body, fmt, rid, extra)


class ClientGone(Exception):
    """The client disconnected (or stalled) before its request body was complete."""


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The request body, refused as soon as it is known to exceed ``limit``."""
    declared = _header(scope, b"content-length")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(limit)
    framed = scope.get("http_version") == "2" or _header(scope, b"transfer-encoding")
    if declared in ("", "0") and not framed:
        return b""  # HTTP/1 without a length has no body; skipping receive() saves a trip
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _respond(
    send: Send,
    status: int,
    body: bytes,
    fmt: str,
    rid: str,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    headers = [
        (b"content-type", JSON_TYPE if fmt == "json" else XML_TYPE),
        (b"content-length", str(len(body)).encode()),
        (b"x-request-id", rid.encode()),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
