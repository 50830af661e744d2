"""The services' clock (the change log's rows are written by ``WriteUnit.record``)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)
