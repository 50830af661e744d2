"""The v2 ASGI endpoint: a plain handler, since every byte of the answer is prescribed."""

from __future__ import annotations

import logging

from ipfleet.api.access import ACTOR_KEY, ROUTE_KEY
from ipfleet.api.answer_cache import AnswerCache
from ipfleet.api.body import Message, Receive, Scope, Send, has_body
from ipfleet.api.edge import Edge, form_fields
from ipfleet.api.metrics import AUTH_FAILED_KEY, V2_CACHE
from ipfleet.api.v2.cache import cache_key
from ipfleet.api.v2.calls import CALLS
from ipfleet.api.v2.errors import V2Error, internal_error, to_v2, unknown_format
from ipfleet.api.v2.form import FormLimits, read_form
from ipfleet.api.v2.params import merge_params, parse_query
from ipfleet.api.v2.render import JSON_TYPE, XML_TYPE, php_json, xml_document
from ipfleet.api.v2.request import V2Request
from ipfleet.config import Settings
from ipfleet.domain.errors import IpfleetError, MethodNotAllowed, Unauthorized, UnknownCall
from ipfleet.domain.records import Account, Actor
from ipfleet.request_id import request_id_of
from ipfleet.store.uow import Database

__all__ = ["PREFIX", "Message", "Receive", "Scope", "Send", "V2App"]

log = logging.getLogger("ipfleet.api.v2")
PREFIX = "/apiv2/"
FORMATS = ("json", "xml")


class V2App:
    """Serves ``/apiv2/<module>.<action>.<format>``."""

    def __init__(self, db: Database, settings: Settings, edge: Edge) -> None:
        self.db = db
        self.settings = settings
        self.edge = edge
        self.cache = AnswerCache[bytes](settings.v2_cache_mb * 1024 * 1024, len)
        self.limits = FormLimits(settings.max_body_bytes, form_fields(settings))

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
        except Exception:
            log.exception("unexpected error in v2 call %s (request %s)", name, rid)
            await self._send_error(send, internal_error(rid), fmt, rid)
            return
        await _respond(send, 200, body, fmt, rid)

    async def refuse(self, scope: Scope, send: Send, error: IpfleetError) -> None:
        """Answer ``error`` without reading the request (the worker is too busy)."""
        fmt = "xml" if scope["path"].endswith(".xml") else "json"
        await self._send_error(send, to_v2(error), fmt, request_id_of(scope))

    async def _handle(self, scope: Scope, receive: Receive, name: str, fmt: str, rid: str) -> bytes:
        handler = CALLS.get(name)
        if handler is None:
            raise UnknownCall(f"Unknown API call: {name}")
        method = scope["method"]
        if method not in ("GET", "POST"):
            raise MethodNotAllowed(method)
        query = parse_query(scope.get("query_string", b""), self.limits.max_fields)
        # Credentials are checked as soon as they are known: from the query string before
        # a byte of the body is read, from a multipart body before the rest of it is parsed.
        seen: list[tuple[tuple[str, str], Account]] = []

        async def check(user: str, key: str) -> None:
            seen.append(((user, key), await self.edge.authenticate(scope, user, key, rid)))

        creds = _credentials(query)
        if all(creds):
            await check(*creds)
        early = None if seen else check
        body = await read_form(scope, receive, self.limits, early) if has_body(scope) else []
        params = merge_params(query, body, self.settings.max_ips_per_request)
        given = (params.get("api_user") or "", params.get("api_key") or "")
        if not seen or seen[-1][0] != given:
            await check(*given)
        account = seen[-1][1]
        key = cache_key(name, fmt, params) if self.cache.max_bytes else None
        if key is not None:
            hit = self.cache.get(account.id, account.data_version, key)
            V2_CACHE.labels("miss" if hit is None else "hit").inc()
            if hit is not None:
                return hit
        actor = Actor(name=f"v2:{account.username}", request_id=rid)
        scope[ACTOR_KEY] = actor.name
        req = V2Request(self.db, self.settings, account, actor, params, self.edge.bind(scope, rid))
        result = await handler(req)
        body_out = php_json(result.json) if fmt == "json" else xml_document(result.xml)
        if key is not None:
            self.cache.put(account.id, account.data_version, key, body_out)
        return body_out

    async def _send_error(self, send: Send, err: V2Error, fmt: str, rid: str) -> None:
        status = err.status if (err.always_status or self.settings.v2_http_errors) else 200
        body = php_json(err.json) if fmt == "json" else xml_document(err.xml)
        extra = [(b"allow", b"GET, POST")] if err.status == 405 else []
        if err.retry_after is not None:
            extra.append((b"retry-after", str(err.retry_after).encode()))
        await _respond(send, status, body, fmt, rid, extra)


def _credentials(query: dict[str, list[str]]) -> tuple[str, str]:
    user, key = query.get("api_user"), query.get("api_key")
    return (user[-1] if user else "", key[-1] if key else "")


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
