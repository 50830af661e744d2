"""The timeline's records: who held, and who could send from, an IP at a given moment.

A period runs from ``started_at`` (included) to ``ended_at`` (excluded); an open period
has no end. The periods themselves are written by the database (migration 0006) in the
transaction of the write they describe; see docs/timeline.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ipfleet.domain.errors import InvalidValue


@dataclass(frozen=True, slots=True)
class Period:
    """One period on one IP: ``account`` (it was on the account), ``holding`` (the subuser
    held it explicitly) or ``pool`` (it was in the account's pool)."""

    kind: str
    address: str
    account_id: int
    account: str
    subuser: str | None
    pool: str | None
    started_at: datetime
    ended_at: datetime | None

    def covers(self, moment: datetime) -> bool:
        """Whether the period was running at ``moment``."""
        return self.started_at <= moment and (self.ended_at is None or moment < self.ended_at)

    def clipped(self, start: datetime, end: datetime | None) -> Period | None:
        """The part of the period inside [start, end), or None when they do not meet."""
        began = max(self.started_at, start)
        ends = [e for e in (self.ended_at, end) if e is not None]
        ended = min(ends) if ends else None
        if ended is not None and ended <= began:
            return None
        return Period(
            self.kind,
            self.address,
            self.account_id,
            self.account,
            self.subuser,
            self.pool,
            began,
            ended,
        )


@dataclass(frozen=True, slots=True)
class Sender:
    """A subuser (or the account itself, ``subuser`` None) as it was at a moment."""

    subuser: str | None
    active: bool
    mail_domain: str | None
    explicit: bool  # held the IP in its set; False: its set was empty, so all IPs


@dataclass(frozen=True, slots=True)
class WhoWasIt:
    """The answer to "who held, and who could send from, this IP at that moment"."""

    address: str
    at: datetime
    account_id: int | None
    account: str | None  # None: on no account (in the inventory, or unknown) then
    senders: tuple[Sender, ...]


def parse_moment(text: str) -> datetime:
    """A moment given as ISO 8601 with a zone (``2026-12-03T14:02:00Z``) or Unix seconds,
    in UTC."""
    value = text.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if value.lower() in ("nan", "inf", "-inf", "infinity", "-infinity"):
            raise InvalidValue(f"Not a time: {text!r}")
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            raise InvalidValue(f"Not a time: {text!r}") from None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidValue(
            f"Not a time: {text!r} (give ISO 8601 with a zone, e.g. 2026-12-03T14:02:00Z, "
            "or Unix seconds)"
        ) from None
    if moment.tzinfo is None:
        raise InvalidValue(f"A time needs a zone: {text!r} (e.g. 2026-12-03T14:02:00Z)")
    return moment.astimezone(UTC)
