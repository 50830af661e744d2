"""``ipfleet log verify``: replay the change log from empty and compare with the state,
then compare the timeline's open periods with the state (docs/timeline.md)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ipfleet.domain.replay import ReplayError, State, differences, replay
from ipfleet.services.timeline import period_differences
from ipfleet.store.uow import Database, UnitOfWork


@dataclass(frozen=True, slots=True)
class Verdict:
    """``difference`` is None when replaying ``entries`` log rows gives the stored state."""

    entries: int
    difference: str | None

    @property
    def consistent(self) -> bool:
        return self.difference is None


def state_and_log(db: Database) -> tuple[State, list[dict[str, Any]]]:
    """The stored state and the whole change log, read in one snapshot."""

    def work(uow: UnitOfWork) -> tuple[State, list[dict[str, Any]]]:
        uow.state.snapshot()
        return uow.state.read(), uow.log.entries()

    return db.read(work)


def verify_log(db: Database) -> Verdict:
    """Whether the change log explains the state; else the first difference found."""
    state, log = state_and_log(db)
    try:
        rebuilt = replay(log)
    except ReplayError as exc:
        return Verdict(len(log), str(exc))
    found = differences(rebuilt, state) or [f"timeline: {d}" for d in period_differences(db)]
    return Verdict(len(log), found[0] if found else None)
