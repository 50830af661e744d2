"""The rules a username must follow (accounts and subusers alike)."""

from __future__ import annotations

from collections.abc import Mapping

from ipfleet.domain.errors import Invalid, InvalidValue
from ipfleet.services.passwords import MIN_LENGTH
from ipfleet.store.tables import PROFILE_FIELDS

__all__ = ["EDITABLE", "MAX_NAME", "PROFILE_FIELDS", "check_name"]

MAX_NAME = 64
MAX_FIELD = 255
#: Fields a subuser's profile may set, besides its password.
EDITABLE = ("email", *PROFILE_FIELDS)


def too_long(value: str, what: str, limit: int = MAX_NAME) -> str | None:
    """Why ``value`` is too long to be ``what``, or None: the one wording of that rule."""
    return f"{what} must be at most {limit} characters" if len(value) > limit else None


def check_label(
    value: str, what: str, *, limit: int = MAX_NAME, error: type[Invalid] = InvalidValue
) -> str:
    """Refuse an empty, over-long or unprintable name of any kind, saying why."""
    if not value.strip():
        raise error(f"{what} is required")
    if (problem := too_long(value, what, limit)) is not None:
        raise error(problem)
    if not value.isprintable():
        raise error(f"{what} must not contain control characters")
    return value


def check_name(name: str, what: str = "Username") -> None:
    """Refuse an empty, over-long or control-character account or subuser name."""
    check_label(name, what)
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
