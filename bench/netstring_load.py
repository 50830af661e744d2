"""A load generator for socketmap servers (wrk does not speak netstrings).

Run as its own process, like wrk: ``python -m bench.netstring_load --port P --keys FILE``.
Each of ``--connections`` connections sends one lookup, waits for its reply and sends the
next, as Postfix's socketmap client does; keys are drawn from FILE (one per line) in a
fixed shuffled order. It prints one JSON line: lookups, seconds, p50/p99 in ms, and the
count of replies that were not ``OK ...`` or ``NOTFOUND `` (failures).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path


class _Lookups(asyncio.Protocol):
    """One connection: request, reply, request... counting while ``measuring``."""

    def __init__(self, run: _Run, requests: list[bytes], offset: int) -> None:
        self.run = run
        self.requests = requests
        self.index = offset
        self.buffer = b""
        self.sent_at = 0.0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._send()

    def _send(self) -> None:
        if self.run.stopping or self.transport is None:
            return
        self.index = (self.index + 1) % len(self.requests)
        self.sent_at = time.perf_counter()
        self.transport.write(self.requests[self.index])

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head, colon, rest = self.buffer.partition(b":")
            if not colon:
                return
            length = int(head)
            if len(rest) < length + 1:
                return
            reply, self.buffer = rest[:length], rest[length + 1 :]
            self.run.record(reply, time.perf_counter() - self.sent_at)
            self._send()


class _Run:
    def __init__(self) -> None:
        self.measuring = False
        self.stopping = False
        self.latencies: list[float] = []
        self.failures = 0

    def record(self, reply: bytes, seconds: float) -> None:
        if not self.measuring:
            return
        self.latencies.append(seconds)
        if not (reply.startswith(b"OK ") or reply == b"NOTFOUND "):
            self.failures += 1


def _requests(name: str, keys: list[str]) -> list[bytes]:
    out = []
    for key in keys:
        payload = f"{name} {key}".encode()
        out.append(b"%d:%s," % (len(payload), payload))
    return out


async def _main(args: argparse.Namespace) -> dict[str, float]:
    keys = Path(args.keys).read_text().split()
    random.Random(5).shuffle(keys)
    requests = _requests(args.name, keys)
    run = _Run()
    loop = asyncio.get_running_loop()
    transports = []
    for n in range(args.connections):
        offset = n * len(requests) // args.connections
        transport, _ = await loop.create_connection(
            lambda offset=offset: _Lookups(run, requests, offset), args.host, args.port
        )
        transports.append(transport)
    await asyncio.sleep(args.warmup)
    run.measuring = True
    started = time.perf_counter()
    await asyncio.sleep(args.seconds)
    run.measuring = False
    elapsed = time.perf_counter() - started
    run.stopping = True
    for transport in transports:
        transport.close()
    latencies = sorted(run.latencies)
    pick = (
        (lambda q: latencies[int(q * (len(latencies) - 1))] * 1000)
        if latencies
        else (lambda q: 0.0)
    )
    return {
        "lookups": len(latencies),
        "seconds": elapsed,
        "p50_ms": pick(0.50),
        "p99_ms": pick(0.99),
        "failures": run.failures,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--name", default="bench", help="the map name (the MTA)")
    parser.add_argument("--keys", required=True, help="file of envelope senders")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--warmup", type=float, default=1)
    result = asyncio.run(_main(parser.parse_args()))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
