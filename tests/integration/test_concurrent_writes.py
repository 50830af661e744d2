"""Eight threads replace the same subusers' IP sets at once: every write lands whole, in
some serial order, and the change log tells that order exactly."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable

from ipfleet.domain.records import Actor
from ipfleet.services.accounts import get_account
from ipfleet.services.ips import add_ips
from ipfleet.services.subusers import SetMode, create_subuser, set_subuser_ips, subuser_ips
from ipfleet.store.uow import Database
from tests.support.db import ACTOR, Made, log_rows

THREADS = 8
ROUNDS = 3
IPS = [f"192.0.2.{n}" for n in range(1, 7)] + ["2001:db8::1", "2001:db8::2"]
SUBUSERS = ("alice", "bob")


def wanted(thread: int, round_: int) -> list[str]:
    """A set particular to this thread and round (empty on some rounds: set=none)."""
    if round_ == 1 and thread % 3 == 0:
        return []
    mask = (thread * ROUNDS + round_) * 37 % 255 + 1
    return [ip for bit, ip in enumerate(IPS) if mask >> bit & 1]


def test_concurrent_set_ips(db: Database, make_account: Callable[..., Made]) -> None:
    account = make_account("acme").account
    add_ips(db, account=get_account(db, username="acme"), specs=IPS, actor=ACTOR)
    for name in SUBUSERS:
        create_subuser(
            db, account=get_account(db, username="acme"), username=name, email="", actor=ACTOR
        )
    logged = len(log_rows(db))

    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    sent: dict[str, list[list[str]]] = {name: [] for name in SUBUSERS}
    lock = threading.Lock()

    def run(thread: int) -> None:
        user = SUBUSERS[thread % 2]
        try:
            barrier.wait(timeout=30)
            for round_ in range(ROUNDS):
                ips = wanted(thread, round_)
                mode = SetMode.SPECIFY if ips else SetMode.NONE
                result = set_subuser_ips(
                    db,
                    account=account,
                    username=user,
                    mode=mode,
                    ips=ips,
                    actor=Actor(name=ACTOR.name, request_id=f"t{thread}r{round_}"),
                )
                assert result == sorted(ips, key=IPS.index)
                with lock:
                    sent[user].append(ips)
        except BaseException as exc:  # every failure, reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []

    rows = log_rows(db)[logged:]
    assert len(rows) == THREADS * ROUNDS
    assert {r["request_id"] for r in rows} == {
        f"t{t}r{r}" for t in range(THREADS) for r in range(ROUNDS)
    }
    for user in SUBUSERS:
        mine = [r for r in rows if r["subject"] == f"subuser:{user}"]
        assert len(mine) == len(sent[user]) == THREADS // 2 * ROUNDS
        # each write is logged once, with the set it sent...
        as_sent = Counter(tuple(s) for s in sent[user])
        assert Counter(tuple(r["after"]["ips"]) for r in mine) == as_sent
        # ...and the log is a serial history: each write saw the one before it
        assert mine[0]["before"] == {"ips": []}
        for prev, row in itertools.pairwise(mine):
            assert row["before"] == prev["after"]
        final = subuser_ips(db, account=account, username=user)
        assert final == mine[-1]["after"]["ips"]
        assert tuple(final) in as_sent
