"""How commands speak: rich tables for people, JSON with --json, one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from ipfleet.domain.addresses import shown
from ipfleet.domain.errors import (
    Conflict,
    Forbidden,
    Invalid,
    IpfleetError,
    NotFound,
    TooLarge,
    Unauthorized,
)

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

#: Exit status by error kind (documented in docs/cli.md).
EXIT_CODES: list[tuple[type[IpfleetError], int]] = [
    (Invalid, 2),
    (NotFound, 3),
    (Conflict, 4),
    (Unauthorized, 5),
    (Forbidden, 5),
    (TooLarge, 6),
]


def exit_code(exc: IpfleetError) -> int:
    """The process exit status for an error."""
    return next((code for kind, code in EXIT_CODES if isinstance(exc, kind)), 1)


def emit_json(data: Any) -> None:
    """Machine-readable output on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A titled table on stdout."""
    t = Table(title=title, title_justify="left")
    for col in columns:
        t.add_column(col)
    for row in rows:
        t.add_row(*("" if v is None else str(v) for v in row))
    out.print(t)


def report(as_json: bool, data: Any, message: str) -> None:
    """A command's result: ``data`` as JSON with --json, else ``message`` for a person."""
    if as_json:
        emit_json(data)
    else:
        say(message)


def say(message: str) -> None:
    """A plain message on stdout (no markup interpretation)."""
    out.print(message, markup=False)


def fail(message: str) -> None:
    """A one-line error on stderr, whatever the message quotes."""
    err.print(f"error: {shown(message)}", markup=False)
