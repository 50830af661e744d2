"""The services' clock (the change log's rows are written by ``WriteUnit.record``)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime (SQLite hands them back naive)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def utc_iso(moment: datetime | None) -> str | None:
    """A stored time as ISO 8601 in UTC, as the change log writes times."""
    aware = as_utc(moment)
    return None if aware is None else aware.astimezone(UTC).isoformat()
