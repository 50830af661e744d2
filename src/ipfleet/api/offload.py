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
slow database call, another request on the same app answers.

**Why a plain executor for reads.** A read is short, so the hop costs as much as it:
``loop.run_in_executor`` on a ``ThreadPoolExecutor`` costs about half of
``anyio.to_thread.run_sync`` (no task group, no cancel scope, no limiter). The pool is
bounded: more threads than this only queue for the GIL and SQLite's connections, which is
why 32 connections answered fewer v3 lists than one did on anyio's 40 threads; enough of
them overlap PostgreSQL's round trips. Each read thread keeps its own hot-path connection
(``store/hot.py``), so the pool bounds those too.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

#: Read threads per worker process (below the engine's pool of 10 connections).
READ_THREADS = 8


@functools.cache
def _pool() -> ThreadPoolExecutor:
    """The read threads of this process (a worker), made on first use."""
    return ThreadPoolExecutor(READ_THREADS, thread_name_prefix="ipfleet-read")


async def read(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run the (blocking) read ``work`` on a read thread; the loop serves others meanwhile."""
    call = functools.partial(work, *args, **kwargs) if args or kwargs else work
    return await asyncio.get_running_loop().run_in_executor(_pool(), call)
