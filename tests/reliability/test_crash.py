"""Crash safety: SIGKILL a server streaming writes, restart it, and find nothing half-done.

After each kill: the database passes its integrity checks, DESIGN.md's rules hold, each
subuser holds its first set or one of the sets sent for it, and replaying the change log
from empty gives exactly the stored state.
"""

from __future__ import annotations

import random
import threading
import time

import httpx
import pytest

from ipfleet.store.uow import Database
from tests.reliability import rel_figures
from tests.reliability.rel_budget import Budget
from tests.reliability.rel_invariants import dump_state, violations
from tests.reliability.rel_load import ACCOUNT, Fleet, Mix, Tally, run_clients, seed_fleet
from tests.support.server import Server

pytestmark = pytest.mark.e2e


def check_after_restart(db: Database, fleet: Fleet) -> list[str]:
    problems = violations(db)
    state = dump_state(db)
    for name, sets in fleet.candidates.items():
        held = tuple(state["subusers"][name]["ips"])
        if held not in sets:
            problems.append(f"{name} holds {held}, a set nobody sent")
    return problems


def test_sigkill_under_write_load_loses_nothing(db: Database, db_url: str, plan: Budget) -> None:
    fleet = seed_fleet(db)
    rng = random.Random(f"crash-{db_url.split(':', maxsplit=1)[0]}")
    server = Server(db_url, workers=plan.crash_workers)
    tally = Tally()
    try:
        for kill in range(plan.kills):
            base = server.start()
            stop = threading.Event()
            mix = Mix(fleet, random.Random(rng.random()), narrow=False)
            threads = run_clients([base], mix, tally, plan.load_clients, stop, seed=kill * 100)
            time.sleep(rng.uniform(*plan.load_before_kill_s))
            server.kill()
            stop.set()
            for t in threads:
                t.join(timeout=30)
            problems = check_after_restart(db, fleet)
            assert not problems, f"after kill {kill + 1}: " + "\n".join(problems)
            rel_figures.add("kills survived")
        # A last start: the server comes back and serves a write after the last kill.
        base = server.start()
        resp = httpx.put(
            f"{base}/v3/subusers/s0/ips",
            json=["10.20.0.1"],
            headers={"authorization": f"Bearer {fleet.key}"},
        )
        assert resp.status_code == 200, resp.text
        assert dump_state(db)["subusers"]["s0"]["ips"] == ["10.20.0.1"]
    finally:
        server.close()
    rel_figures.add("writes sent to servers that were killed", tally.sent)
    rel_figures.add("writes answered before the kills", sum(tally.answered.values()))
    rel_figures.add("violations", len(tally.bad))
    assert not tally.bad, "\n".join(tally.bad[:20])
    assert sum(tally.answered.values()) > 0, "no write was answered before the kill"
    assert dump_state(db)["accounts"][ACCOUNT]
