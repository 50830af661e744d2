"""Per-worker cache of rendered v2 read answers, keyed by the account's data version.

Every write transaction bumps its account's ``data_version``, and every request reads the
version in the same query that checks its credentials. An entry is served only when it was
made at the version that query just read, so no answer is older than the last committed
write, whichever worker made it. (The data behind an entry is read after the version, so it
can only be newer than its tag, never older.)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from ipfleet.api.v2.params import Params

Key = tuple[Hashable, ...]


def cache_key(call: str, fmt: str, params: Params) -> Key | None:
    """What identifies a cacheable read's answer, or None for calls that are not cached."""
    if call == "customer.ip":
        return (call, fmt, params.get("list"))
    if call == "customer.sendip" and params.get("task") == "list":
        user = params.get("user") or params.get("username")
        return (call, fmt, user) if user else None
    if call == "reseller.ip":
        return (call, fmt, params.get("task"), params.get("ip"), params.get("user"))
    return None


class AnswerCache:
    """A byte-bounded LRU of (account, key) -> (data version, body)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[tuple[int, Key], tuple[int, bytes]] = OrderedDict()

    def get(self, account_id: int, version: int, key: Key) -> bytes | None:
        found = self.entries.get((account_id, key))
        if found is None or found[0] != version:
            return None
        self.entries.move_to_end((account_id, key))
        return found[1]

    def put(self, account_id: int, version: int, key: Key, body: bytes) -> None:
        if len(body) > self.max_bytes // 4:
            return
        old = self.entries.pop((account_id, key), None)
        if old is not None:
            self.size -= len(old[1])
        self.entries[(account_id, key)] = (version, body)
        self.size += len(body)
        while self.size > self.max_bytes:
            _, (_, dropped) = self.entries.popitem(last=False)
            self.size -= len(dropped)
