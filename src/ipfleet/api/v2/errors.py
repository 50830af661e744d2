"""The one place that turns ipfleet errors into SendGrid v2's three error shapes.

``SHAPES`` is the table: for each kind of error (and the calls where SendGrid answers it
differently), the shape and the real HTTP status. Handlers raise domain errors only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ipfleet.api.v2.render import Node
from ipfleet.domain.errors import (
    BadCredentials,
    InvalidParameter,
    IpfleetError,
    MethodNotAllowed,
    NotFound,
    SubuserNotFound,
    TooLarge,
    Unauthorized,
)


@dataclass(frozen=True, slots=True)
class V2Error:
    """An error ready to render: body in both formats and the real HTTP status."""

    json: Any
    xml: Node
    status: int
    always_status: bool = False  # answered with ``status`` even in SendGrid's 200 mode


def _list(messages: list[str], status: int = 400, always: bool = False) -> V2Error:
    """``{"message":"error","errors":[...]}``: generic validation errors."""
    return V2Error(
        json={"message": "error", "errors": messages},
        xml=("result", [("message", "error"), ("errors", [("error", m) for m in messages])]),
        status=status,
        always_status=always,
    )


def _object(code: int, message: str) -> V2Error:
    """``{"error":{"code":N,"message":M}}``: raised before the action runs."""
    return V2Error(
        json={"error": {"code": code, "message": message}},
        xml=("result", [("message", message)]),
        status=code,
    )


def _bare(message: str, status: int = 404) -> V2Error:
    """``{"message":M}``."""
    return V2Error(
        json={"message": message}, xml=("result", [("message", f"error: {message}")]), status=status
    )


def _messages(exc: IpfleetError) -> list[str]:
    return list(exc.details) or [exc.message]


Render = Callable[[IpfleetError], V2Error]

#: (error kind, the calls the row is for — None: every call, how it renders); the first
#: row that matches wins, so specific rows come first.
SHAPES: tuple[tuple[type[IpfleetError], frozenset[str] | None, Render], ...] = (
    (
        SubuserNotFound,
        frozenset({"customer.enable", "customer.disable"}),
        lambda _e: _bare("User not found"),
    ),
    (Unauthorized, None, lambda _e: _object(401, BadCredentials().message)),
    (SubuserNotFound, None, lambda e: _object(400, e.message)),
    (InvalidParameter, None, lambda e: _object(400, e.message)),
    (MethodNotAllowed, None, lambda e: _list(_messages(e), 405, always=True)),
    (TooLarge, None, lambda e: _list(_messages(e), 413)),
    (NotFound, None, lambda e: _list(_messages(e), 404)),
    (IpfleetError, None, lambda e: _list(_messages(e))),
)


def to_v2(exc: IpfleetError, call: str | None = None) -> V2Error:
    """The v2 shape and status of any ipfleet error raised by ``call``."""
    for kind, calls, render in SHAPES:
        if isinstance(exc, kind) and (calls is None or call in calls):
            return render(exc)
    raise AssertionError("unreachable: the last row matches every error")  # pragma: no cover


def unknown_format(fmt: str) -> V2Error:
    """The answer to a path whose format is neither json nor xml (always rendered as JSON)."""
    return _list([f"Unknown format: {fmt or '(none)'} (use json or xml)"], 404)


def internal_error(request_id: str) -> V2Error:
    """The answer to a bug (logged with the same request id)."""
    return _list([f"Internal error (request id {request_id})"], 500, always=True)
