"""Property: for random sequences of writes, ``who_at`` at every moment between two writes
equals the state as it was then -- kept here by the test itself -- on both databases; and
after them the open periods equal the live state."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipfleet.domain.timeline import Sender
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.inventory import add_to_inventory
from ipfleet.services.ips import add_ips, release_ips
from ipfleet.services.subusers import (
    SetMode,
    create_subuser,
    set_subuser_active,
    set_subuser_ips,
)
from ipfleet.services.timeline import period_differences, who_at
from ipfleet.store.uow import Database
from tests.support.db import ACTOR

RUN = itertools.count(1)
SUBUSERS = {"s1": "a", "s2": "a", "s3": "b"}  # subuser -> its account (a or b)
START = {0: "a", 1: "a", 2: "b"}  # where the addresses are before the first step

moves = st.tuples(st.just("move"), st.integers(0, 3), st.sampled_from(["a", "b", None]))
sets = st.tuples(st.just("set"), st.sampled_from(sorted(SUBUSERS)), st.sets(st.integers(0, 3)))
toggles = st.tuples(st.just("active"), st.sampled_from(sorted(SUBUSERS)), st.booleans())
STEPS = st.lists(st.one_of(moves, sets, toggles), min_size=1, max_size=12)


@dataclass
class Model:
    """The state the test expects, by the names the example uses."""

    owner: dict[int, str | None] = field(default_factory=lambda: dict.fromkeys(range(4)))
    held: dict[str, set[int]] = field(default_factory=lambda: {s: set() for s in SUBUSERS})
    active: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(SUBUSERS, True))

    def who(self, ip: int) -> tuple[str | None, tuple[tuple[str, bool, bool], ...]]:
        account = self.owner[ip]
        if account is None:
            return None, ()
        senders = tuple(
            (sub, self.active[sub], ip in self.held[sub])
            for sub in sorted(SUBUSERS)
            if SUBUSERS[sub] == account and (ip in self.held[sub] or not self.held[sub])
        )
        return account, senders


class Example:
    """One example's accounts, subusers and addresses, unique in the shared database."""

    def __init__(self, db: Database) -> None:
        self.db, n = db, next(RUN)
        self.names = {"a": f"pa{n}", "b": f"pb{n}"}
        self.subs = {s: f"{s}x{n}" for s in SUBUSERS}
        self.ips = [f"10.{n // 250}.{n % 250}.{i + 1}" for i in range(4)]
        for account in self.names.values():
            create_account(db, username=account, outbound_cluster=None, actor=ACTOR)
        add_to_inventory(db, specs=self.ips, actor=ACTOR)
        for sub, account in SUBUSERS.items():
            create_subuser(
                db,
                account=get_account(db, username=self.names[account]),
                username=self.subs[sub],
                email="",
                actor=ACTOR,
            )
        self.model = Model()
        for ip, account in START.items():  # something to hold from the first step
            add_ips(
                db,
                account=get_account(db, username=self.names[account]),
                specs=[self.ips[ip]],
                actor=ACTOR,
            )
            self.model.owner[ip] = account

    def apply(self, step: tuple[object, ...]) -> None:
        kind, what, value = step
        m, db = self.model, self.db
        if kind == "move":
            assert isinstance(what, int)
            was = m.owner[what]
            if was is not None:
                release_ips(
                    db,
                    account=get_account(db, username=self.names[was]),
                    addresses=[self.ips[what]],
                    force=True,
                    actor=ACTOR,
                )
                for sub in m.held:
                    m.held[sub].discard(what)
            if value is not None:
                add_ips(
                    db,
                    account=get_account(db, username=self.names[str(value)]),
                    specs=[self.ips[what]],
                    actor=ACTOR,
                )
            m.owner[what] = value if value is None else str(value)
        elif kind == "set":
            sub = str(what)
            account = SUBUSERS[sub]
            assert isinstance(value, set)
            mine = {i for i in value if m.owner[i] == account}
            set_subuser_ips(
                db,
                account=get_account(db, username=self.names[account]),
                username=self.subs[sub],
                mode=SetMode.SPECIFY if mine else SetMode.NONE,
                ips=[self.ips[i] for i in sorted(mine)],
                actor=ACTOR,
            )
            m.held[sub] = mine
        else:
            sub = str(what)
            set_subuser_active(
                db,
                account=get_account(db, username=self.names[SUBUSERS[sub]]),
                username=self.subs[sub],
                active=bool(value),
                actor=ACTOR,
            )
            m.active[sub] = bool(value)

    def observed(self, ip: int, at: datetime) -> tuple[str | None, tuple[Sender, ...]]:
        answer = who_at(self.db, address=self.ips[ip], at=at)
        return answer.account, answer.senders

    def expected(self, ip: int) -> tuple[str | None, tuple[Sender, ...]]:
        account, senders = self.model.who(ip)
        name = None if account is None else self.names[account]
        return name, tuple(Sender(self.subs[s], on, None, explicit) for s, on, explicit in senders)


def _between_writes() -> datetime:
    """A moment strictly after the last write's instant and before the next one's (the
    clock's resolution is a microsecond)."""
    time.sleep(0.001)
    moment = datetime.now(UTC)
    time.sleep(0.001)
    return moment


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_who_at_every_moment_equals_the_state_then(db: Database, steps: list[tuple]) -> None:
    example = Example(db)
    checkpoints = []
    for step in steps:
        example.apply(step)
        moment = _between_writes()
        checkpoints.append((moment, [example.expected(ip) for ip in range(4)]))
    for moment, expected in checkpoints:
        assert [example.observed(ip, moment) for ip in range(4)] == expected, moment
    assert period_differences(db) == []
