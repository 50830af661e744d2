"""How hard the harness pushes: short in `make test`, long in `make reliability`.

``IPFLEET_RELIABILITY=long`` selects the long budget. Every number the harness uses to
size a run is here, so the published figures can be traced to one table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    name: str
    bad_inputs_per_route: int  # hypothesis examples per route and backend
    replay_examples: int  # random write sequences replayed, per backend
    kills: int  # SIGKILLs per backend
    crash_workers: int  # granian workers of the server that gets killed
    load_before_kill_s: tuple[float, float]  # a kill lands at a random moment in this window
    load_clients: int  # clients streaming writes at the server that gets killed
    concurrent_clients: int
    concurrent_seconds: float
    sqlite_workers: int


SHORT = Budget(
    name="short",
    bad_inputs_per_route=8,
    replay_examples=8,
    kills=1,
    crash_workers=1,
    load_before_kill_s=(1.0, 2.0),
    load_clients=4,
    concurrent_clients=32,
    concurrent_seconds=2.0,
    sqlite_workers=2,
)
LONG = Budget(
    name="long",
    bad_inputs_per_route=300,
    replay_examples=300,
    kills=10,
    crash_workers=2,
    load_before_kill_s=(1.0, 6.0),
    load_clients=6,
    concurrent_clients=32,
    concurrent_seconds=30.0,
    sqlite_workers=3,
)


def budget() -> Budget:
    """The budget this run was asked for."""
    return LONG if os.environ.get("IPFLEET_RELIABILITY", "").lower() == "long" else SHORT
