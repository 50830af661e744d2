"""The seam where failed dashboard sign-ins meet the APIs' failed-authentication limits."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def attempt_sign_in(client: str, who: str, check: Callable[[], T]) -> T:
    """Run one sign-in ``check`` for ``who`` from ``client`` and return what it returns.

    Every dashboard sign-in (reseller and operator) goes through here and nothing else, so
    the failed-authentication limiter the APIs use plugs in at this one call: refuse before
    ``check`` while ``client``/``who`` is over its limit, count the attempt when ``check``
    raises ``BadCredentials``. Until that limiter lands, the attempt just runs.
    """
    return check()
