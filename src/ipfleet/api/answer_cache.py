"""Per-worker cache of rendered read answers (v2's, and v3's lists), keyed by the account's
data version.

Every write transaction bumps its account's ``data_version``, and every request reads the
version in the same query that checks its credentials. An entry is served only when it was
made at the version that query just read, so no answer is older than the last committed
write, whichever worker made it. (The data behind an entry is read after the version, so it
can only be newer than its tag, never older.)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Key = tuple[Hashable, ...]
V = TypeVar("V")


class AnswerCache(Generic[V]):
    """A byte-bounded LRU of (account, key) -> (data version, answer); ``size`` tells an
    answer's bytes."""

    def __init__(self, max_bytes: int, size: Callable[[V], int]) -> None:
        self.max_bytes = max_bytes
        self.size_of = size
        self.size = 0
        self.entries: OrderedDict[tuple[int, Key], tuple[int, V]] = OrderedDict()

    def get(self, account_id: int, version: int, key: Key) -> V | None:
        found = self.entries.get((account_id, key))
        if found is None or found[0] != version:
            return None
        self.entries.move_to_end((account_id, key))
        return found[1]

    def put(self, account_id: int, version: int, key: Key, answer: V) -> None:
        size = self.size_of(answer)
        if size > self.max_bytes // 4:
            return
        old = self.entries.pop((account_id, key), None)
        if old is not None:
            self.size -= self.size_of(old[1])
        self.entries[(account_id, key)] = (version, answer)
        self.size += size
        while self.size > self.max_bytes:
            _, (_, dropped) = self.entries.popitem(last=False)
            self.size -= self.size_of(dropped)
