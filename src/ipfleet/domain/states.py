"""The v2 IP states (taken, free, available, all), as pure set arithmetic.

The store computes the same states in SQL; this reference is what property tests hold
the SQL to.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class IpState(StrEnum):
    ALL = "all"
    FREE = "free"
    TAKEN = "taken"
    AVAILABLE = "available"


def classify(
    addresses: Iterable[str], holdings: Iterable[tuple[str, bool]]
) -> dict[IpState, frozenset[str]]:
    """States of an account's addresses, given (address, holder_is_active) pairs."""
    everything = frozenset(addresses)
    pairs = list(holdings)
    held = {ip for ip, _ in pairs if ip in everything}
    held_active = {ip for ip, active in pairs if active and ip in everything}
    return {
        IpState.ALL: everything,
        IpState.TAKEN: frozenset(held),
        IpState.FREE: everything - held,
        IpState.AVAILABLE: everything - held_active,
    }
