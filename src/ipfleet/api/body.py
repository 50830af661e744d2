"""Receiving request bodies: a total deadline, a minimum rate, and a bound on readers.

A client gets ``IPFLEET_BODY_TIMEOUT_S`` from the start of its request to send the whole
body, and after a grace of ``GRACE_S`` must keep up ``IPFLEET_BODY_MIN_RATE`` bytes a
second on average: an upload trickled one byte at a time is cut after about ``GRACE_S``
seconds, whatever it does, rather than the timer restarting with every byte. A body the
server cannot frame (a malformed chunked encoding: the server then reports a disconnect
mid-body) is refused as invalid, in the API's own error shape.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ipfleet.domain.errors import BodyTimeout, InvalidValue, IpfleetError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: Seconds at the start of a body during which the minimum rate is not enforced.
GRACE_S = 2.0
#: A body an API refused before reading it all is read and dropped after the answer, up
#: to this many times the body limit (and within the same deadline and rate): a client
#: that writes its whole body before reading then gets the answer, not a broken pipe.
DRAIN_FACTOR = 16
MALFORMED = "Malformed or incomplete request body"


class GuardedReceive:
    """``receive`` under a total deadline and a minimum average rate.

    It raises ``BodyTimeout`` when the client is too slow, and ``InvalidValue`` when the
    server reports a disconnect before the body was complete (a client that is really
    gone never reads the answer; one that sent a malformed chunked body does).
    """

    __slots__ = ("complete", "deadline", "min_rate", "receive", "received", "start")

    def __init__(self, receive: Receive, *, total_s: float, min_rate: float) -> None:
        self.receive = receive
        self.start = asyncio.get_running_loop().time()
        self.deadline = self.start + total_s
        self.min_rate = min_rate
        self.received = 0
        self.complete = False

    def cutoff(self) -> float:
        """The moment the next chunk must have arrived by."""
        if self.min_rate <= 0:
            return self.deadline
        return min(self.deadline, self.start + GRACE_S + self.received / self.min_rate)

    async def __call__(self) -> Message:
        if self.complete:
            return await self.receive()
        try:
            async with asyncio.timeout_at(self.cutoff()):
                message = await self.receive()
        except TimeoutError:
            raise BodyTimeout from None
        if message["type"] == "http.disconnect":
            self.complete = True
            raise InvalidValue(MALFORMED)
        self.received += len(message.get("body", b""))
        self.complete = not message.get("more_body", False)
        return message


async def drain(receive: GuardedReceive, limit: int) -> None:
    """Read and drop what is left of a body the answer did not need (see DRAIN_FACTOR)."""
    drained = 0
    try:
        while not receive.complete and drained <= limit:
            drained += len((await receive()).get("body", b""))
    except IpfleetError:
        return  # too slow or broken: the answer is sent, the server closes the connection


def header(scope: Scope, name: bytes) -> str:
    """A request header's value (latin-1), or ""."""
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


def has_body(scope: Scope) -> bool:
    """Whether the request announces a body (a length above 0, or chunked framing)."""
    declared = header(scope, b"content-length")
    framed = scope.get("http_version") == "2" or header(scope, b"transfer-encoding")
    return bool(framed) or declared not in ("", "0")


class Slots:
    """How many requests a worker serves at once, and how many of them may be receiving
    a body: past either bound a request is refused at once (``Busy``), so slow uploads
    cannot take the slots that quick reads need."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.uploads_max = max(1, total // 2)
        self.active = 0
        self.uploads = 0

    def enter(self, upload: bool) -> bool:
        """Take a slot (and an upload slot); False when none is free."""
        if self.active >= self.total or (upload and self.uploads >= self.uploads_max):
            return False
        self.active += 1
        self.uploads += upload
        return True

    def leave(self, upload: bool) -> None:
        self.active -= 1
        self.uploads -= upload
