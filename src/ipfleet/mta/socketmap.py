"""`ipfleet postfix socketmap`: Postfix asks, per message, which transport a sender uses.

Postfix's ``sender_dependent_default_transport_maps = socketmap:inet:HOST:PORT:<mta>``
sends ``<mta> <envelope sender>``; the answer comes from the routing rule, read fresh on
every lookup, so a change made through any API applies to the very next message:

- send   -> ``OK ipfleet-<ip>:`` (one of the decision's IPs, uniformly at random)
- defer  -> ``OK retry:4.7.0 <reason>`` (Postfix answers 450 or keeps the mail queued)
- no match -> ``NOTFOUND `` (Postfix's own default transport applies)
- the database cannot answer -> ``TEMP <reason>`` (Postfix defers; nothing is lost)
- a malformed or oversized request -> ``PERM <reason>`` and the connection is closed.

The lookup blocks (it may query the database), so it runs in a small thread pool; the
event loop only moves bytes. A failing lookup is logged once when it starts failing (at
WARNING, with its cause) and once when it recovers, never per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from prometheus_client import Counter, Histogram

from ipfleet.domain.routing import Decision, Verdict, transport_name
from ipfleet.mta import netstring
from ipfleet.mta.socketmap_limits import Limits

log = logging.getLogger("ipfleet.socketmap")

LOOKUPS = Counter(
    "ipfleet_socketmap_lookups_total",
    "Socketmap lookups answered, by outcome: send (OK transport), defer (OK retry:), "
    "notfound, temp (the database could not answer) and perm (a malformed request).",
    ["outcome"],
)
LOOKUP_SECONDS = Histogram(
    "ipfleet_socketmap_lookup_seconds",
    "Time to decide one lookup (the routing rule and its database read).",
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1),
)
REFUSED_CONNECTIONS = Counter(
    "ipfleet_socketmap_refused_connections_total",
    "Connections answered TEMP and closed because max_connections were open.",
)
OUTCOMES = {Verdict.SEND: "send", Verdict.DEFER: "defer", Verdict.NO_MATCH: "notfound"}

#: ``reply_for(map_name, key)``: the reply payload; runs in a worker thread.
ReplyFor = Callable[[str, str], bytes]


def answer(decision: Decision, choose: Callable[[list[str]], str] = secrets.choice) -> bytes:
    """The reply payload for a routing decision."""
    if decision.verdict is Verdict.SEND:
        address = choose([ip.address for ip in decision.ips])
        return f"OK {transport_name(address)}:".encode()
    if decision.verdict is Verdict.DEFER:
        return f"OK retry:4.7.0 {decision.reason}".encode()
    return b"NOTFOUND "


def decision_replies(decide: Callable[[str, str], Decision]) -> ReplyFor:
    """A ``ReplyFor`` from ``decide(mta, sender)``; a failure becomes ``TEMP``."""
    health = _Health()

    def reply_for(mta: str, sender: str) -> bytes:
        with LOOKUP_SECONDS.time():
            try:
                decision = decide(mta, sender)
            except Exception as exc:
                health.failed(exc)
                LOOKUPS.labels("temp").inc()
                return b"TEMP ipfleet cannot decide now: " + type(exc).__name__.encode()
        health.succeeded()
        LOOKUPS.labels(OUTCOMES[decision.verdict]).inc()
        return answer(decision)

    return reply_for


class _Health:
    """Logs a failure once when it starts (or changes cause) and once on recovery."""

    def __init__(self) -> None:
        self.cause: str | None = None

    def failed(self, exc: Exception) -> None:
        cause = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        if cause != self.cause:
            self.cause = cause
            log.warning("lookups answer TEMP until this clears: %s", cause)

    def succeeded(self) -> None:
        if self.cause is not None:
            self.cause = None
            log.warning("lookups answer again")


class SocketmapServer:
    """An asyncio socketmap server answering with ``reply_for``."""

    def __init__(self, reply_for: ReplyFor, limits: Limits | None = None) -> None:
        self.reply_for = reply_for
        self.limits = limits or Limits()
        self._executor = (
            ThreadPoolExecutor(self.limits.threads, "socketmap") if self.limits.threads else None
        )
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int, *, reuse_port: bool = False) -> int:
        """Listen on ``host:port``; returns the port (useful when ``port`` is 0)."""
        self._server = await asyncio.start_server(
            self._serve,
            host,
            port,
            limit=netstring.MAX_REQUEST + 16,
            reuse_port=reuse_port or None,
            backlog=self.limits.max_connections,
        )
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Stop accepting, close every connection, let running lookups finish."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            await self._server.wait_closed()
        if self._executor is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._executor.shutdown)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self._writers) >= self.limits.max_connections:
            REFUSED_CONNECTIONS.inc()
            writer.write(netstring.reply("TEMP", "too many connections"))
            await _close(writer)
            return
        self._writers.add(writer)
        try:
            await self._conversation(reader, writer)
        except (ConnectionError, TimeoutError):
            pass  # the client went away or fell silent: nothing to answer
        finally:
            self._writers.discard(writer)
            await _close(writer)

    async def _conversation(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                async with asyncio.timeout(self.limits.idle_timeout_s):
                    payload = await netstring.read_request(reader)
                if payload is None:
                    return
                name, key = netstring.split_request(payload)
            except netstring.ProtocolError as exc:
                LOOKUPS.labels("perm").inc()
                writer.write(netstring.reply("PERM", str(exc)))
                await writer.drain()
                return
            if self._executor is None:
                data = self.reply_for(name, key)
            else:
                data = await loop.run_in_executor(self._executor, self.reply_for, name, key)
            writer.write(netstring.encode(data))
            await writer.drain()


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(ConnectionError, OSError):
        await writer.wait_closed()


async def serve_until_signalled(
    server: SocketmapServer,
    host: str,
    port: int,
    *,
    reuse_port: bool = False,
    ready: Callable[[int], None] = lambda _port: None,
) -> None:
    """Run ``server`` on ``host:port`` until SIGTERM or SIGINT, then stop it cleanly."""
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    bound = await server.start(host, port, reuse_port=reuse_port)
    ready(bound)
    try:
        await stopping.wait()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await server.stop()
