"""The rules a username must follow (accounts and subusers alike)."""

from __future__ import annotations

from ipfleet.domain.errors import InvalidValue

MAX_NAME = 64


def check_name(name: str, what: str = "Username") -> None:
    """Refuse an empty, over-long or control-character name, saying why."""
    if not name:
        raise InvalidValue(f"{what} is required")
    if len(name) > MAX_NAME:
        raise InvalidValue(f"{what} must be at most {MAX_NAME} characters")
    if any(not ch.isprintable() for ch in name):
        raise InvalidValue(f"{what} must not contain control characters")
