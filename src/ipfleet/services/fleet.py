"""The fleet at a glance, for the operator's gauges: IPs per state over every account, and
the inventory per MTA. Platform-wide, so only operator surfaces (``/metrics``) show it."""

from __future__ import annotations

from dataclasses import dataclass

from ipfleet.domain.states import IpState
from ipfleet.store.uow import Database, UnitOfWork


@dataclass(frozen=True, slots=True)
class FleetCounts:
    states: dict[IpState, int]  # IPs on accounts, per v2 state, summed over the accounts
    inventory: list[tuple[str | None, int, int]]  # (MTA or None: none yet, free, used)


def fleet_counts(db: Database) -> FleetCounts:
    """Both counts from one snapshot."""

    def work(uow: UnitOfWork) -> FleetCounts:
        return FleetCounts(uow.ips.state_counts(None), uow.inventory.use_by_mta())

    return db.read(work)
