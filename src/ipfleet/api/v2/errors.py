"""The one place that turns ipfleet errors into SendGrid v2's three error shapes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ipfleet.api.v2.render import Node
from ipfleet.domain.errors import (
    BadCredentials,
    BodyTimeout,
    InvalidParameter,
    IpfleetError,
    MethodNotAllowed,
    NotFound,
    SubuserNotFound,
    TooLarge,
    TooManyFailures,
    Unauthorized,
    Unavailable,
)


@dataclass(frozen=True, slots=True)
class V2Error:
    """An error ready to render: body in both formats and the real HTTP status."""

    json: Any
    xml: Node
    status: int
    always_status: bool = False  # answered with ``status`` even in SendGrid's 200 mode
    retry_after: int | None = None  # seconds, sent as ``Retry-After``


class V2Failure(Exception):
    """Raised by a call whose error has a shape of its own (the bare form)."""

    def __init__(self, error: V2Error) -> None:
        super().__init__(error.json)
        self.error = error


def list_form(messages: list[str], status: int = 400, always: bool = False) -> V2Error:
    """``{"message":"error","errors":[...]}``: generic validation errors."""
    return V2Error(
        json={"message": "error", "errors": messages},
        xml=("result", [("message", "error"), ("errors", [("error", m) for m in messages])]),
        status=status,
        always_status=always,
    )


def object_form(code: int, message: str) -> V2Error:
    """``{"error":{"code":N,"message":M}}``: raised before the action runs."""
    return V2Error(
        json={"error": {"code": code, "message": message}},
        xml=("result", [("message", message)]),
        status=code,
    )


def bare_form(message: str, status: int = 404) -> V2Error:
    """``{"message":M}``: customer.enable / customer.disable for a missing user."""
    return V2Error(
        json={"message": message}, xml=("result", [("message", f"error: {message}")]), status=status
    )


def _refused(exc: Unavailable) -> V2Error:
    """Throttled (the object form, like bad credentials) or busy; both say when to retry."""
    if isinstance(exc, TooManyFailures):
        err = object_form(429, exc.message)
        return V2Error(err.json, err.xml, 429, retry_after=exc.retry_after)
    err = list_form([exc.message], 503, always=True)
    return V2Error(err.json, err.xml, 503, always_status=True, retry_after=exc.retry_after)


#: The real status of a list-form error, by the first kind it is an instance of (else 400).
LIST_STATUS: tuple[tuple[type[IpfleetError], int], ...] = (
    (TooLarge, 413),
    (NotFound, 404),
    (BodyTimeout, 408),
)


def to_v2(exc: IpfleetError) -> V2Error:
    """The v2 shape and status of any ipfleet error."""
    if isinstance(exc, Unavailable):
        return _refused(exc)
    if isinstance(exc, BadCredentials | Unauthorized):
        return object_form(401, BadCredentials().message)
    if isinstance(exc, SubuserNotFound | InvalidParameter):
        return object_form(400, exc.message)
    messages = list(exc.details) or [exc.message]
    if isinstance(exc, MethodNotAllowed):
        return list_form(messages, 405, always=True)
    return list_form(messages, next((s for k, s in LIST_STATUS if isinstance(exc, k)), 400))
