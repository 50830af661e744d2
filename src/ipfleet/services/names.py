"""The rules a username must follow (accounts and subusers alike)."""

from __future__ import annotations

from collections.abc import Mapping

from ipfleet.domain.errors import InvalidValue
from ipfleet.services.passwords import MIN_LENGTH
from ipfleet.store.tables import PROFILE_FIELDS

__all__ = ["EDITABLE", "MAX_NAME", "PROFILE_FIELDS", "check_name", "storable"]

MAX_NAME = 64
MAX_FIELD = 255
#: Fields a subuser's profile may set, besides its password.
EDITABLE = ("email", *PROFILE_FIELDS)


def storable(text: str) -> bool:
    """Whether both backends can store and compare ``text`` (PostgreSQL refuses NUL)."""
    return "\x00" not in text


def check_name(name: str, what: str = "Username") -> None:
    """Refuse an empty, over-long or control-character name, saying why."""
    if not name.strip():
        raise InvalidValue(f"{what} is required")
    if len(name) > MAX_NAME:
        raise InvalidValue(f"{what} must be at most {MAX_NAME} characters")
    if any(not ch.isprintable() for ch in name):
        raise InvalidValue(f"{what} must not contain control characters")
    if "/" in name:
        # v3 names subusers in URL paths, where a slash cannot be told from a separator.
        raise InvalidValue(f"{what} must not contain '/'")


def check_password_rules(password: str) -> str:
    """Refuse a password shorter than SendGrid's documented minimum."""
    if len(password) < MIN_LENGTH:
        raise InvalidValue(f"Password must be at least {MIN_LENGTH} characters")
    return password


def check_profile(values: Mapping[str, str]) -> dict[str, str]:
    """Known profile fields of sane length; every problem named at once."""
    problems = [f"Unknown profile field: {k}" for k in values if k not in EDITABLE]
    problems += [
        f"{k} must not contain control characters"
        for k, v in values.items()
        if any(not ch.isprintable() for ch in v)
    ]
    problems += [
        f"{k} must be at most {MAX_FIELD} characters"
        for k, v in values.items()
        if len(v) > MAX_FIELD
    ]
    email = values.get("email", "")
    if email and ("@" not in email.strip("@") or any(c.isspace() for c in email)):
        problems.append("Email address is invalid")
    if problems:
        raise InvalidValue(problems[0], problems)
    return dict(values)


def check_quota(quota: int | None) -> None:
    """Refuse a negative IP quota (None is unlimited)."""
    if quota is not None and quota < 0:
        raise InvalidValue("The quota must be zero or more")
