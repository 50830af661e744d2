"""Replaying the change log from empty gives exactly the state the database holds.

Every logged action is exercised through the services on both backends; a property test
runs random sequences of writes (refused ones included); tampered logs are refused.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipfleet.domain.errors import IpfleetError
from ipfleet.domain.records import Actor
from ipfleet.domain.replay import ACTIONS, ReplayError, replay
from ipfleet.services import inventory, ips, operators, profiles, subusers
from ipfleet.services import ips as _ips_svc
from ipfleet.services import quota as _quota_svc
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.keys import create_key, revoke_key
from ipfleet.services.log_check import state_and_log
from ipfleet.services.subusers import SetMode
from ipfleet.store.uow import Database
from tests.reliability import rel_figures
from tests.reliability.rel_budget import Budget
from tests.reliability.rel_invariants import dump_state

ACTOR = Actor(name="tests:replay", request_id="replay")


def core_writes(db: Database) -> None:
    """At least one write of every action the core services log."""
    inventory.add_to_inventory(db, specs=["10.1.0.0/29", "2001:db8:f::/126"], actor=ACTOR)
    create_account(db, username="acme", outbound_cluster="mta-1", actor=ACTOR)
    create_account(db, username="zeta", outbound_cluster=None, actor=ACTOR)
    key, _ = create_key(db, account=get_account(db, username="acme"), name="second", actor=ACTOR)
    revoke_key(db, account=get_account(db, username="acme"), key_id=key.key_id, actor=ACTOR)
    _quota_svc.set_quota(db, account=get_account(db, username="acme"), quota=20, actor=ACTOR)
    _quota_svc.set_price(db, account=get_account(db, username="acme"), price=2.5, actor=ACTOR)
    inventory.take_ips(db, account=get_account(db, username="acme"), count=3, actor=ACTOR)
    ips.add_ips(
        db,
        account=get_account(db, username="acme"),
        specs=["198.51.100.0/30", "2001:DB8::1"],
        actor=ACTOR,
    )
    ips.add_ips(
        db, account=get_account(db, username="zeta"), specs=["10.1.0.6"], actor=ACTOR
    )  # from the inventory
    ips.set_hostname(db, address="198.51.100.1", hostname="MTA1.Example.com.", actor=ACTOR)
    ips.set_whitelabeled(db, address="198.51.100.1", on=True, actor=ACTOR)
    ips.set_whitelabeled(db, address="10.1.0.1", on=True, actor=ACTOR)  # wiped when returned
    for name in ("alice", "bob", "carol"):
        subusers.create_subuser(
            db, account=get_account(db, username="acme"), username=name, email="", actor=ACTOR
        )
    acme = get_account(db, username="acme")
    for name, held in (("alice", ["198.51.100.1", "10.1.0.1"]), ("bob", ["198.51.100.2"])):
        subusers.set_subuser_ips(
            db, account=acme, username=name, mode=SetMode.SPECIFY, ips=held, actor=ACTOR
        )
    subusers.set_subuser_ips(db, account=acme, username="carol", mode=SetMode.ALL, actor=ACTOR)
    subusers.set_subuser_active(
        db, account=get_account(db, username="acme"), username="bob", active=False, actor=ACTOR
    )
    subusers.create_subuser(db, account=acme, username="dora", email="", actor=ACTOR)
    profiles.rename_subuser(db, account=acme, username="dora", new_name="dorothy", actor=ACTOR)
    profiles.set_website_access(db, account=acme, username="alice", allowed=False, actor=ACTOR)
    profiles.update_profile(
        db,
        account=acme,
        username="alice",
        values={"city": "Oslo", "email": "a@x.example"},
        actor=ACTOR,
    )
    profiles.set_password(db, account=acme, username="alice", password="pass-word-1", actor=ACTOR)
    _ips_svc.release_ips(
        db,
        account=get_account(db, username="acme"),
        addresses=["10.1.0.1"],
        force=True,
        actor=ACTOR,
    )
    ips.remove_ips(
        db,
        account=get_account(db, username="acme"),
        addresses=["198.51.100.2"],
        release=True,
        actor=ACTOR,
    )
    subusers.delete_subuser(
        db, account=get_account(db, username="acme"), username="carol", actor=ACTOR
    )
    inventory.remove_from_inventory(db, addresses=["10.1.0.5"], actor=ACTOR)


def v3_writes(db: Database) -> None:
    """At least one write of every action the pool and warmup services log."""
    from ipfleet.services import pools, send_ips, warmup

    acme = get_account(db, username="acme")
    pools.create_pool(db, account=acme, name="marketing", actor=ACTOR)
    pools.create_pool(db, account=acme, name="old", actor=ACTOR)
    pools.rename_pool(db, account=acme, name="old", new_name="transactional", actor=ACTOR)
    for address in ("198.51.100.1", "2001:db8::1"):
        pools.add_pool_ip(db, account=acme, name="marketing", address=address, actor=ACTOR)
    pools.add_pool_ip(db, account=acme, name="transactional", address="10.1.0.2", actor=ACTOR)
    pools.remove_pool_ip(db, account=acme, name="marketing", address="2001:db8::1", actor=ACTOR)
    warmup.start_warmup(db, account=acme, address="10.1.0.2", actor=ACTOR)
    warmup.start_warmup(db, account=acme, address="10.1.0.3", actor=ACTOR)
    warmup.stop_warmup(db, account=acme, address="10.1.0.3", actor=ACTOR)
    changes = send_ips.SendIpChanges(auto_warmup=True, parent_assigned=False, enabled=False)
    send_ips.update_send_ip(db, account=acme, address="10.1.0.2", changes=changes, actor=ACTOR)
    send_ips.add_send_ip(
        db,
        account=acme,
        auto_warmup=False,
        parent_assigned=False,
        subuser_ids=[],
        region="eu",
        actor=ACTOR,
    )
    _ips_svc.release_ips(
        db,
        account=get_account(db, username="acme"),
        addresses=["10.1.0.2"],
        force=True,
        actor=ACTOR,
    )
    pools.add_pool_ip(db, account=acme, name="transactional", address="198.51.100.1", actor=ACTOR)
    pools.delete_pool(db, account=acme, name="transactional", actor=ACTOR)


def dataplane_writes(db: Database) -> None:
    """At least one write of every action the sending-domain and MTA services log."""
    from ipfleet.services import sending_domains as sd

    inventory.add_to_inventory(db, specs=["10.4.0.0/30"], mta="mta-in", actor=ACTOR)
    inventory.add_to_inventory(db, specs=["10.4.0.0/29"], mta="mta-2", actor=ACTOR)
    ips.set_mta(db, address="198.51.100.1", mta="mta1", actor=ACTOR)
    ips.set_mta(db, address="10.1.0.6", mta="mta1", actor=ACTOR)
    ips.set_mta(db, address="10.1.0.6", mta=None, actor=ACTOR)
    acme = get_account(db, username="acme")
    for name in ("em.example", "two.example", "gone.example"):
        sd.add_sending_domain(db, account=acme, mail_domain=name, url_domain=None, actor=ACTOR)
    subusers.create_subuser(
        db, account=get_account(db, username="acme"), username="dora", email="", actor=ACTOR
    )
    for user, domain in (
        ("alice", "em.example"),
        ("alice", "two.example"),  # replaces em.example
        ("dora", "two.example"),  # moves from alice
        ("alice", "gone.example"),
        ("bob", "em.example"),
    ):
        sd.attach_sending_domain(db, account=acme, username=user, mail_domain=domain, actor=ACTOR)
    sd.remove_sending_domain(db, account=acme, mail_domain="gone.example", actor=ACTOR)
    subusers.delete_subuser(
        db, account=get_account(db, username="acme"), username="dora", actor=ACTOR
    )


def dashboard_writes(db: Database) -> None:
    """Operators and the session secret: logged, and outside the tenants' state."""
    operators.session_secret(db, configured=None)
    operators.create_operator(db, name="ops", actor=ACTOR)
    operators.revoke_operator(db, name="ops", actor=ACTOR)


def test_replay_rebuilds_every_action(db: Database) -> None:
    core_writes(db)
    v3_writes(db)
    dataplane_writes(db)
    dashboard_writes(db)
    state, log = state_and_log(db)
    assert {row["action"] for row in log} == set(ACTIONS), "some action was not exercised"
    assert replay(log) == state
    # The state is not trivially empty: spot checks against what the writes did.
    assert state["subusers"]["alice"]["ips"] == ["198.51.100.1"]
    assert state["subusers"]["alice"]["password_set"] is True
    assert state["subusers"]["alice"]["website_access"] is False
    assert "dora" not in state["subusers"]
    assert state["subusers"]["dorothy"]["account"] == "acme"
    assert state["ips"]["10.1.0.2"] == {
        "account": None,
        "hostname": None,
        "whitelabeled": False,
        "warmup_started_at": None,
        "mta": None,
        "enabled": True,  # disabled on acme, back to the defaults in the inventory
        "parent_assigned": True,
        "region": "us",
        "leased": True,
    }
    assert [a for a, row in state["ips"].items() if row["region"] == "eu"] != []  # add_send_ip
    assert state["pools"]["acme"] == {"marketing": ["198.51.100.1"]}
    assert state["ips"]["198.51.100.1"]["hostname"] == "mta1.example.com"
    assert state["ips"]["198.51.100.1"]["whitelabeled"] is True
    assert state["accounts"]["acme"]["price_per_ip"] == 2.5
    assert state["domains"] == {
        "em.example": {"account": "acme", "url_domain": "em.example", "subuser": "bob"},
        "two.example": {"account": "acme", "url_domain": "two.example", "subuser": None},
    }
    assert [state["ips"][f"10.4.0.{n}"]["mta"] for n in range(1, 7)] == ["mta-in"] * 2 + [
        "mta-2"
    ] * 4
    assert (state["ips"]["198.51.100.1"]["mta"], state["ips"]["10.1.0.6"]["mta"]) == ("mta1", None)
    rel_figures.add("replayed log entries", len(log))


def test_replay_of_a_prefix_is_the_state_at_that_time(db: Database) -> None:
    core_writes(db)
    middle = dump_state(db)
    _, log_then = state_and_log(db)
    v3_writes(db)
    _, log_now = state_and_log(db)
    assert log_now[: len(log_then)] == log_then
    assert replay(log_now[: len(log_then)]) == middle
    assert replay(log_now) != middle


Tamper = Callable[[list[dict[str, Any]]], None]


def _entry(log: list[dict[str, Any]], action: str) -> dict[str, Any]:
    return next(e for e in log if e["action"] == action)


TAMPERS: dict[str, Tamper] = {
    "unknown action": lambda log: log.append({"id": 0, "action": "ip.teleport"}),
    "lost subuser.create": lambda log: log.remove(_entry(log, "subuser.create")),
    "wrong set before": lambda log: _entry(log, "subuser.set_ips")["before"].update(
        ips=["1.1.1.1"]
    ),
    "added count": lambda log: _entry(log, "inventory.add")["after"].update(added=1),
    "unknown key": lambda log: _entry(log, "key.revoke")["before"].update(key_id="nope"),
    "lost ip.release": lambda log: log.remove(_entry(log, "ip.release")),
    "double ip.add": lambda log: log.append(copy.deepcopy(_entry(log, "ip.add"))),
    "missing payload": lambda log: _entry(log, "subuser.set_ips").update(after=None),
    "bad account id": lambda log: _entry(log, "ip.take").update(account_id=999),
    "rename of nobody": lambda log: _entry(log, "subuser.rename")["before"].update(
        username="nobody"
    ),
    "wrong website access before": lambda log: _entry(log, "subuser.set_website_access")[
        "before"
    ].update(website_access=False),
    "wrong domain before": lambda log: _entry(log, "subuser.set_whitelabel")["before"].update(
        mail_domain="two.example"
    ),
    "lost detachment": lambda log: log.remove(
        [e for e in log if e["action"] == "subuser.set_whitelabel"][2]
    ),
    "double whitelabel.add": lambda log: log.append(copy.deepcopy(_entry(log, "whitelabel.add"))),
}


@pytest.mark.parametrize("tamper", sorted(TAMPERS))
def test_replay_refuses_a_log_that_contradicts_itself(sqlite_url: str, tamper: str) -> None:
    db = Database(sqlite_url)
    core_writes(db)
    dataplane_writes(db)
    _, log = state_and_log(db)
    db.dispose()
    TAMPERS[tamper](log)
    with pytest.raises(ReplayError):
        replay(log)


# -- random sequences of writes, refused ones included ------------------------------------

NAMES = st.sampled_from(["u1", "u2", "u3"])
DOMAINS = st.sampled_from(["d1.example", "D2.example"])
ADDRS = st.sampled_from(["10.2.0.1", "10.2.0.2", "10.2.0.3", "2001:db8:2::1", "10.2.0.9"])
OPS = st.one_of(
    st.tuples(st.just("create"), NAMES),
    st.tuples(st.just("delete"), NAMES),
    st.tuples(st.just("active"), NAMES, st.booleans()),
    st.tuples(st.just("rename"), NAMES, NAMES),
    st.tuples(st.just("web"), NAMES, st.booleans()),
    st.tuples(st.just("set"), NAMES, st.lists(ADDRS, max_size=3)),
    st.tuples(st.just("add"), st.lists(ADDRS, min_size=1, max_size=2)),
    st.tuples(st.just("remove"), st.lists(ADDRS, min_size=1, max_size=2), st.booleans()),
    st.tuples(st.just("take"), st.integers(1, 3)),
    st.tuples(st.just("return"), st.lists(ADDRS, min_size=1, max_size=2), st.booleans()),
    st.tuples(st.just("wl_add"), DOMAINS),
    st.tuples(st.just("wl_remove"), DOMAINS),
    st.tuples(st.just("attach"), NAMES, st.one_of(st.none(), DOMAINS)),
    st.tuples(st.just("mta"), ADDRS, st.sampled_from(["m1", "m2", None])),
)


def apply(db: Database, op: tuple[Any, ...]) -> None:
    kind, acct = op[0], "acme"
    if kind == "create":
        subusers.create_subuser(
            db, account=get_account(db, username=acct), username=op[1], email="", actor=ACTOR
        )
    elif kind == "delete":
        subusers.delete_subuser(
            db, account=get_account(db, username=acct), username=op[1], actor=ACTOR
        )
    elif kind == "active":
        subusers.set_subuser_active(
            db, account=get_account(db, username=acct), username=op[1], active=op[2], actor=ACTOR
        )
    elif kind in ("rename", "web"):
        acme = get_account(db, username=acct)
        if kind == "rename":
            profiles.rename_subuser(db, account=acme, username=op[1], new_name=op[2], actor=ACTOR)
        else:
            profiles.set_website_access(
                db, account=acme, username=op[1], allowed=op[2], actor=ACTOR
            )
    elif kind == "set":
        mode = SetMode.SPECIFY if op[2] else SetMode.NONE
        subusers.set_subuser_ips(
            db,
            account=get_account(db, username=acct),
            username=op[1],
            mode=mode,
            ips=op[2],
            actor=ACTOR,
        )
    elif kind == "add":
        ips.add_ips(db, account=get_account(db, username=acct), specs=op[1], actor=ACTOR)
    elif kind == "remove":
        ips.remove_ips(
            db, account=get_account(db, username=acct), addresses=op[1], release=op[2], actor=ACTOR
        )
    elif kind == "take":
        inventory.take_ips(db, account=get_account(db, username=acct), count=op[1], actor=ACTOR)
    elif kind in ("wl_add", "wl_remove", "attach", "mta"):
        apply_dataplane(db, op)
    else:
        _ips_svc.release_ips(
            db, account=get_account(db, username=acct), addresses=op[1], force=op[2], actor=ACTOR
        )


def apply_dataplane(db: Database, op: tuple[Any, ...]) -> None:
    from ipfleet.services import sending_domains as sd

    kind, acme = op[0], get_account(db, username="acme")
    if kind == "wl_add":
        sd.add_sending_domain(db, account=acme, mail_domain=op[1], url_domain=None, actor=ACTOR)
    elif kind == "wl_remove":
        sd.remove_sending_domain(db, account=acme, mail_domain=op[1], actor=ACTOR)
    elif kind == "attach":
        sd.attach_sending_domain(db, account=acme, username=op[1], mail_domain=op[2], actor=ACTOR)
    else:
        ips.set_mta(db, address=op[1], mta=op[2], actor=ACTOR)


def test_random_writes_replay_exactly(db: Database, plan: Budget) -> None:
    create_account(db, username="acme", outbound_cluster=None, actor=ACTOR)
    inventory.add_to_inventory(db, specs=["10.3.0.0/29"], actor=ACTOR)

    @settings(
        max_examples=plan.replay_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.lists(OPS, min_size=1, max_size=12))
    def run(ops: list[tuple[Any, ...]]) -> None:
        for op in ops:
            with contextlib.suppress(IpfleetError):  # a refused write leaves no trace
                apply(db, op)
        state, log = state_and_log(db)
        assert replay(log) == state
        rel_figures.add("replayed random writes", len(ops))

    run()
