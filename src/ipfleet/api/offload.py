"""The event-loop rule of the APIs, and the one place that applies it to reads.

**The rule.** A worker serves every connection from one event loop, so anything that
waits on the loop stalls every other request of that worker. On the loop may run only
what cannot wait: parsing, rendering, the answer cache, the guard's in-memory counters.
Everything that talks to the database, however short (a SQLite key check takes ~20 µs;
on PostgreSQL the same check is a network round trip, and any statement may wait on a
lock), and every password hash, runs off the loop:

- reads (the key check, lists, one IP, counts): ``await read(...)``, on this module's
  read threads;
- writes: ``anyio.to_thread.run_sync``; a write waits for its commit (the SQLite group
  commit gathers the waiting writers, a PostgreSQL write may wait on an account's row
  lock), so writes stay on anyio's larger pool and never hold a read thread;
- password hashes: ``RequestEdge.hashing``, in its bounded slots.

v2 (``api/v2``), v3 (``api/v3``) and their shared key check (``api/edge.py``) follow it;
``tests/perf/test_event_loop.py`` proves it: while one request waits on a deliberately
slow database call, another request on the same app answers. The dashboard (``web/``)
follows it as well: its page handlers run whole in a thread (``web.context.in_a_thread``).

**Why read threads of our own.** A read is short, so the hop to a thread costs as much as
the read. Each read thread takes every read waiting when it wakes and hands all their
results back to the loop in one wake-up (``call_soon_threadsafe`` once per batch, not once
per read), so under load the hop's system calls and GIL hand-overs are shared, as the
SQLite group commit shares a commit. The pool is bounded: more threads only queue for the
GIL and SQLite's connections, which is why 32 connections answered fewer v3 lists than
one did on anyio's 40 threads; enough of them overlap PostgreSQL's round trips (a thread
takes at most ``BATCH`` reads at once, so waiting reads go to idle threads). Each read
thread keeps its own hot-path connection (``store/hot.py``), so the pool bounds those too.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import queue
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

#: Read threads per worker process (below the engine's pool of 10 connections).
READ_THREADS = 8
#: Most reads one thread takes at once (the rest stay for the other threads).
BATCH = 8

Job = tuple[Callable[[], Any], "asyncio.Future[Any]", asyncio.AbstractEventLoop]


def _settle(done: list[tuple[asyncio.Future[Any], bool, Any]]) -> None:
    """On the loop: hand each read's result (or error) to the request awaiting it."""
    for future, ok, value in done:
        if future.cancelled():
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


class ReadThreads:
    """``READ_THREADS`` daemon threads running reads handed over by the event loops."""

    def __init__(self, threads: int = READ_THREADS) -> None:
        self.jobs: queue.SimpleQueue[Job] = queue.SimpleQueue()
        for n in range(threads):
            threading.Thread(target=self._serve, name=f"ipfleet-read-{n}", daemon=True).start()

    async def run(self, call: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self.jobs.put((call, future, loop))
        return await future

    def _serve(self) -> None:
        while True:
            batch = [self.jobs.get()]
            while len(batch) < BATCH:
                try:
                    batch.append(self.jobs.get_nowait())
                except queue.Empty:
                    break
            by_loop: dict[asyncio.AbstractEventLoop, list[Any]] = {}
            for call, future, loop in batch:
                try:
                    outcome = (future, True, call())
                except BaseException as exc:  # the request's own error: handed back to it
                    outcome = (future, False, exc)
                by_loop.setdefault(loop, []).append(outcome)
            for loop, done in by_loop.items():
                # RuntimeError: that loop has closed, so nobody awaits these any more.
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(_settle, done)


@functools.cache
def _pool() -> ReadThreads:
    """The read threads of this process (a worker), made on first use."""
    return ReadThreads()


async def read(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run the (blocking) read ``work`` on a read thread; the loop serves others meanwhile."""
    call = functools.partial(work, *args, **kwargs) if args or kwargs else work
    return await _pool().run(call)
