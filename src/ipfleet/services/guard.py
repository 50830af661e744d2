"""Slowing credential guessing: failed authentications counted per client and per name.

A failure is counted for the client's address and for the name it tried (a v2
``api_user``, a v3 key id, a subuser checked by ``customer.auth``), over a sliding window
shared by every worker (``store/failures.py``). Past a limit, the client or the name is
refused (``TooManyFailures``, with the seconds until the window frees a slot) until its
oldest failure leaves the window. A success never pays: the refusal of a known-blocked
client or name is a dictionary look-up in the worker (each worker learns of a block from
the first failure it sees past the limit), and nothing is written or read otherwise.
Every failure is logged at WARNING with the address, the name and the request id; the
secret never is.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from ipfleet.domain.errors import TooManyFailures
from ipfleet.store.failures import FailureCounter
from ipfleet.store.uow import Database

log = logging.getLogger("ipfleet.auth")
MAX_BLOCKS = 10_000  # blocks remembered per worker before expired ones are dropped


@dataclass(frozen=True, slots=True)
class Attempt:
    """Who tried: the client address, the name tried, and the request's id."""

    client: str
    name: str  # e.g. "v2:acme", "v3:<key id>", "auth:acme/alice"; "" when none was given
    request_id: str

    def names(self) -> list[str]:
        return [f"client:{self.client}", *([self.name] if self.name else [])]


@dataclass(frozen=True, slots=True)
class Limits:
    per_client: int
    per_name: int
    window_s: float


class AuthGuard:
    """One worker's view of the shared failure counts."""

    def __init__(self, db: Database, limits: Limits) -> None:
        self.counter = FailureCounter(db.engine, limits.window_s)
        self.limits = limits
        self.blocked: dict[str, float] = {}  # key -> time.time() when it is free again

    def check(self, attempt: Attempt) -> None:
        """Refuse a client or name this worker knows to be over its limit (no I/O)."""
        if not self.blocked:
            return
        now = time.time()
        until = max((self.blocked.get(k, 0.0) for k in attempt.names()), default=0.0)
        if until > now:
            raise TooManyFailures(int(until - now) + 1)

    def failed(self, attempt: Attempt, what: str) -> TooManyFailures | None:
        """Count a failure (blocking): the refusal to answer with, if a limit is passed."""
        log.warning(
            "authentication failed: %s; client %s, name %r, request %s",
            what,
            attempt.client,
            attempt.name,
            attempt.request_id,
        )
        now = time.time()
        windows = self.counter.add(attempt.names(), now)
        until = 0.0
        for key, window in windows.items():
            limit = self.limits.per_client if key.startswith("client:") else self.limits.per_name
            if window.count > limit:
                until = max(until, window.oldest + self.limits.window_s)
                self._block(key, window.oldest + self.limits.window_s, now)
        return TooManyFailures(int(until - now) + 1) if until > now else None

    def _block(self, key: str, until: float, now: float) -> None:
        if len(self.blocked) >= MAX_BLOCKS:
            self.blocked = {k: u for k, u in self.blocked.items() if u > now}
        self.blocked[key] = until
