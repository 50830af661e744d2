"""Where failed dashboard sign-ins meet the APIs' failed-authentication limits."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ipfleet.domain.errors import BadCredentials
from ipfleet.services.guard import Attempt, AuthGuard

T = TypeVar("T")


def attempt_sign_in(guard: AuthGuard, attempt: Attempt, check: Callable[[], T]) -> T:
    """Run one sign-in ``check`` (blocking: call it off the event loop) under ``guard``.

    Every dashboard sign-in (reseller and operator) goes through here: a client or name
    over its limit is refused before ``check`` runs (``TooManyFailures``, 429), and a
    ``BadCredentials`` is counted in the same shared window as the APIs' failures.
    """
    guard.check(attempt)
    try:
        return check()
    except BadCredentials:
        refusal = guard.failed(attempt, "dashboard sign-in")
        if refusal is not None:
            raise refusal from None
        raise
