"""The v3 lists SDK users poll, answered from a per-worker cache before Litestar's routing.

``GET /v3/ips`` (every filter and page), ``/v3/ips/assigned`` and ``/v3/subusers`` spend
nearly all their time building the same answer again (three objects per IP, then
Litestar; docs/performance.md). So, as v2 does (``api/answer_cache.py``): the key is
checked first, in the one statement that also reads the account's data version, and an
answer made at that very version is sent as it was, headers and all; otherwise Litestar
answers and a 200 is kept under the version read before its data. Every write bumps its
account's version, so no answer is older than the last committed write, on any worker.

Requests On-Behalf-Of a subuser are never cached (the guard decides what they may see).
The key check's outcome is handed to the guard (``PRE_CALLER_KEY``/``PRE_ERROR_KEY``), so
a miss or a refusal costs one check, and a refused key is counted once.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from ipfleet.api.access import ACTOR_KEY, ROUTE_KEY
from ipfleet.api.answer_cache import AnswerCache, Key
from ipfleet.api.body import Receive, Scope, Send, header
from ipfleet.api.edge import Edge
from ipfleet.api.v3.auth import PRE_CALLER_KEY, PRE_ERROR_KEY, identify
from ipfleet.store.uow import Database

#: The lists served from the cache (their routes have no path parameters).
CACHED_PATHS = frozenset({"/v3/ips", "/v3/ips/assigned", "/v3/subusers"})
#: What an entry costs beyond its body (its headers and bookkeeping), roughly.
ENTRY_OVERHEAD = 256


@dataclass(frozen=True, slots=True)
class Answer:
    """A whole 200 answer, as Litestar sent it (without its request id)."""

    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


def _size(answer: Answer) -> int:
    return len(answer.body) + ENTRY_OVERHEAD


class ListCache:
    """One worker's cached v3 list answers."""

    def __init__(self, db: Database, edge: Edge, max_bytes: int) -> None:
        self.db = db
        self.edge = edge
        self.answers = AnswerCache[Answer](max_bytes, _size)

    def key_of(self, scope: Scope) -> Key | None:
        """What identifies this request's answer, or None when it is not cached."""
        if not self.answers.max_bytes or scope.get("method") != "GET":
            return None
        path = str(scope.get("path", ""))
        if path not in CACHED_PATHS or header(scope, b"on-behalf-of").strip():
            return None
        return (path, bytes(scope.get("query_string", b"")))

    async def serve(self, scope: Scope, receive: Receive, send: Send, app: Any) -> None:
        """Answer from the cache, or through ``app`` (Litestar), keeping what it says."""
        key = self.key_of(scope)
        if key is None:
            await app(scope, receive, send)
            return
        try:
            caller = await identify(scope, self.db, self.edge)
        except Exception as exc:  # the guard raises it, and Litestar answers as always
            scope[PRE_ERROR_KEY] = exc
            await app(scope, receive, send)
            return
        account = caller.account
        hit = self.answers.get(account.id, account.data_version, key)
        if hit is not None:
            scope[ACTOR_KEY] = f"v3:{account.username}"
            scope[ROUTE_KEY] = key[0]
            await send({"type": "http.response.start", "status": 200, "headers": list(hit.headers)})
            await send({"type": "http.response.body", "body": hit.body})
            return
        scope[PRE_CALLER_KEY] = caller
        kept = _Recorder(send)
        await app(scope, receive, kept.send)
        if kept.answer is not None:
            self.answers.put(account.id, account.data_version, key, kept.answer)


class _Recorder:
    """Passes an answer on, and keeps it when it is a complete 200."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._status = 0
        self._headers: tuple[tuple[bytes, bytes], ...] = ()
        self._body: list[bytes] = []
        self.answer: Answer | None = None

    async def send(self, message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self._status = int(message["status"])
            self._headers = tuple((bytes(k), bytes(v)) for k, v in message.get("headers", ()))
        elif message["type"] == "http.response.body" and self._status == 200:
            self._body.append(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                self.answer = Answer(self._headers, b"".join(self._body))
        await self._send(message)
