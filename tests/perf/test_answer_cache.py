"""The v2 answer cache: version-checked and bounded in bytes."""

from __future__ import annotations

from ipfleet.api.answer_cache import AnswerCache
from ipfleet.api.v2.cache import cache_key
from ipfleet.api.v2.params import Params


def test_entry_is_served_only_at_its_version() -> None:
    cache = AnswerCache[bytes](1024, len)
    cache.put(1, 5, ("k",), b"body")
    assert cache.get(1, 5, ("k",)) == b"body"
    assert cache.get(1, 6, ("k",)) is None
    assert cache.get(2, 5, ("k",)) is None


def test_size_is_bounded_and_least_recent_goes_first() -> None:
    cache = AnswerCache[bytes](1000, len)
    for n in range(10):
        cache.put(1, 1, (n,), b"x" * 200)
        cache.get(1, 1, (0,))  # keep the first one in use
    assert cache.size <= 1000
    assert cache.get(1, 1, (0,)) == b"x" * 200
    assert cache.get(1, 1, (1,)) is None


def test_oversized_answers_are_not_kept() -> None:
    cache = AnswerCache[bytes](1000, len)
    cache.put(1, 1, ("big",), b"x" * 600)
    assert cache.get(1, 1, ("big",)) is None
    assert cache.size == 0


def test_only_reads_are_cacheable() -> None:
    def p(**kw: str) -> Params:
        return Params({k: [v] for k, v in kw.items()})

    assert cache_key("customer.ip", "json", p(list="all")) == ("customer.ip", "json", "all")
    assert cache_key("customer.sendip", "xml", p(task="list", username="a")) is not None
    assert cache_key("customer.sendip", "json", p(task="append", user="a")) is None
    assert cache_key("customer.add", "json", p(username="a")) is None
