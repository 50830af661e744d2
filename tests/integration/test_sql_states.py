"""The states the SQL computes (IpRepo.list_state) equal the domain's classify()."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipfleet.domain.addresses import parse_address, sort_key
from ipfleet.domain.states import IpState, classify
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.ips import add_ips
from ipfleet.services.subusers import SetMode, create_subuser, set_subuser_active, set_subuser_ips
from ipfleet.store.uow import Database
from tests.support.db import ACTOR

SLOTS = 10  # addresses an account may have: offsets into its own block
BLOCKS = itertools.count(1)  # each example gets a fresh account and address block


@dataclass(frozen=True)
class Plan:
    slots: frozenset[int]
    # per subuser: active, and the slots it holds (a subset of the account's)
    subusers: tuple[tuple[bool, frozenset[int]], ...]


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    slots = draw(st.frozensets(st.integers(0, SLOTS - 1), max_size=SLOTS))
    held = (
        st.frozensets(st.sampled_from(sorted(slots)), max_size=len(slots))
        if slots
        else (st.just(frozenset[int]()))
    )
    subs = draw(st.lists(st.tuples(st.booleans(), held), max_size=4))
    return Plan(slots, tuple(subs))


def address(block: int, slot: int) -> str:
    """Slot n of the account's block: IPv4 for even slots, IPv6 for odd (interleaved)."""
    if slot % 2 == 0:
        return f"10.{block // 250}.{block % 250}.{slot + 9}"  # 9, 11, ... 17: crosses 9 -> 10
    return f"2001:db8:{block:x}::{slot:x}"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plans())
def test_sql_states_equal_classify(db: Database, plan: Plan) -> None:
    block = next(BLOCKS)
    name = f"acct{block}"
    account, _key = create_account(db, username=name, outbound_cluster=None, actor=ACTOR)
    ips = [address(block, s) for s in sorted(plan.slots)]
    if ips:
        add_ips(db, account=get_account(db, username=name), specs=ips, actor=ACTOR)
    holdings: list[tuple[str, bool]] = []
    for n, (active, held_slots) in enumerate(plan.subusers):
        user = f"{name}-sub{n}"
        create_subuser(
            db, account=get_account(db, username=name), username=user, email="", actor=ACTOR
        )
        held = [address(block, s) for s in sorted(held_slots)]
        if held:
            set_subuser_ips(
                db, account=account, username=user, mode=SetMode.SPECIFY, ips=held, actor=ACTOR
            )
        if not active:
            set_subuser_active(
                db, account=get_account(db, username=name), username=user, active=False, actor=ACTOR
            )
        holdings.extend((ip, active) for ip in held)

    expected = classify(ips, holdings)
    for state in IpState:
        got = db.read(lambda uow, s=state: uow.ips.list_state(account.id, s))
        assert set(got) == expected[state], state
        assert got == sorted(got, key=lambda t: sort_key(parse_address(t))), state
        assert len(got) == len(set(got)), state
