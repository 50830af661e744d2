"""Which v2 reads are cached (api/answer_cache.py) and what identifies their answers."""

from __future__ import annotations

from ipfleet.api.answer_cache import Key
from ipfleet.api.v2.params import Params


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
