"""services.routing on both backends: decide from the stored state, fresh on every lookup
(changes made through this process or through another Database instance), mta_plan."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from ipfleet.domain.errors import BadMtaName
from ipfleet.domain.records import Account, Actor
from ipfleet.domain.routing import Holder, Rule, Verdict
from ipfleet.services import ips, sending_domains, subusers
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.routing import decide, mta_plan
from ipfleet.services.subusers import SetMode
from ipfleet.store.uow import Database

A = Actor(name="tests:routing", request_id="routing")
PLACED = {"192.0.2.1": "mta1", "192.0.2.2": "mta1", "192.0.2.10": "mta2", "2001:db8::1": "mta1"}


def seed(db: Database) -> Account:
    """acme: four IPs on two MTAs; alice holds .1 and .10 (alice.example), bob holds none
    (bob.example), carol is deactivated (carol.example), acme.example is account-level."""
    create_account(db, username="acme", outbound_cluster=None, actor=A)
    create_account(db, username="zeta", outbound_cluster=None, actor=A)
    ips.add_ips(db, account=get_account(db, username="acme"), specs=list(PLACED), actor=A)
    ips.add_ips(db, account=get_account(db, username="zeta"), specs=["198.51.100.1"], actor=A)
    for address, mta in PLACED.items():
        ips.set_mta(db, address=address, mta=mta, actor=A)
    ips.set_mta(db, address="198.51.100.1", mta="mta1", actor=A)
    acme = get_account(db, username="acme")
    for name in ("alice", "bob", "carol"):
        subusers.create_subuser(
            db, account=get_account(db, username="acme"), username=name, email="", actor=A
        )
        sending_domains.add_sending_domain(
            db, account=acme, mail_domain=f"{name}.example", url_domain=None, actor=A
        )
        sending_domains.attach_sending_domain(
            db, account=acme, username=name, mail_domain=f"{name}.example", actor=A
        )
    sending_domains.add_sending_domain(
        db, account=acme, mail_domain="acme.example", url_domain=None, actor=A
    )
    subusers.set_subuser_ips(
        db,
        account=acme,
        username="alice",
        mode=SetMode.SPECIFY,
        ips=["192.0.2.1", "192.0.2.10"],
        actor=A,
    )
    subusers.set_subuser_active(
        db, account=get_account(db, username="acme"), username="carol", active=False, actor=A
    )
    return get_account(db, username="acme")


def addresses(db: Database, sender: str, mta: str = "mta1") -> tuple[Verdict, Rule, list[str]]:
    d = decide(db, mta=mta, sender=sender)
    return d.verdict, d.rule, [ip.address for ip in d.ips]


def test_decide_reads_the_stored_state(db: Database) -> None:
    seed(db)
    assert addresses(db, "news@alice.example") == (Verdict.SEND, Rule.SUBUSER_SET, ["192.0.2.1"])
    assert addresses(db, "news@Alice.EXAMPLE.", "mta2") == (
        Verdict.SEND,
        Rule.SUBUSER_SET,
        ["192.0.2.10"],
    )
    assert addresses(db, "x@bob.example") == (
        Verdict.SEND,
        Rule.EMPTY_SET,
        ["192.0.2.1", "192.0.2.2", "2001:db8::1"],
    )
    assert addresses(db, "x@acme.example", "mta2") == (
        Verdict.SEND,
        Rule.ACCOUNT_DOMAIN,
        ["192.0.2.10"],
    )
    assert addresses(db, "x@carol.example") == (Verdict.DEFER, Rule.DEACTIVATED, [])
    assert addresses(db, "x@alice.example", "mta9") == (Verdict.DEFER, Rule.NO_IP_ON_MTA, [])
    for sender in ("x@unknown.example", "<>", "", "no-at-sign", "x@bad..example"):
        assert addresses(db, sender) == (Verdict.NO_MATCH, Rule.NO_MATCH, [])
    holder = decide(db, mta="mta1", sender="x@alice.example").holder
    assert holder is not None
    assert (holder.account, holder.subuser) == ("acme", "alice")


def _writes(
    acme: Account,
) -> list[tuple[Callable[[Database], object], str, tuple[Verdict, list[str]]]]:
    """(a write, a sender, what the next lookup on mta1 must say after it)."""
    return [
        (
            lambda d: subusers.set_subuser_ips(
                d, account=acme, username="alice", mode=SetMode.SPECIFY, ips=["192.0.2.2"], actor=A
            ),
            "a@alice.example",
            (Verdict.SEND, ["192.0.2.2"]),
        ),
        (
            lambda d: ips.set_mta(d, address="192.0.2.2", mta="mta2", actor=A),
            "a@alice.example",
            (Verdict.DEFER, []),
        ),
        (
            lambda d: subusers.set_subuser_active(
                d, account=get_account(d, username="acme"), username="bob", active=False, actor=A
            ),
            "b@bob.example",
            (Verdict.DEFER, []),
        ),
        (
            lambda d: sending_domains.attach_sending_domain(
                d, account=acme, username="bob", mail_domain=None, actor=A
            ),
            "b@bob.example",
            (Verdict.SEND, ["192.0.2.1", "2001:db8::1"]),
        ),
        (
            lambda d: sending_domains.remove_sending_domain(
                d, account=acme, mail_domain="bob.example", actor=A
            ),
            "b@bob.example",
            (Verdict.NO_MATCH, []),
        ),
        (
            lambda d: sending_domains.add_sending_domain(
                d, account=acme, mail_domain="new.example", url_domain=None, actor=A
            ),
            "n@new.example",
            (Verdict.SEND, ["192.0.2.1", "2001:db8::1"]),
        ),
        (
            lambda d: ips.remove_ips(
                d,
                account=get_account(d, username="acme"),
                addresses=["2001:db8::1"],
                release=True,
                actor=A,
            ),
            "n@new.example",
            (Verdict.SEND, ["192.0.2.1"]),
        ),
    ]


@pytest.mark.parametrize("writer", ["same", "other"])
def test_the_very_next_lookup_sees_every_change(db: Database, db_url: str, writer: str) -> None:
    acme = seed(db)
    other = Database(db_url) if writer == "other" else db  # another process or node
    try:
        for write, sender, expected in _writes(acme):
            decide(db, mta="mta1", sender=sender)  # the holder is cached now
            write(other)
            d = decide(db, mta="mta1", sender=sender)
            assert (d.verdict, [ip.address for ip in d.ips]) == expected, sender
    finally:
        if other is not db:
            other.dispose()


def test_lookups_from_many_threads_while_the_set_changes(db: Database) -> None:
    acme = seed(db)
    sets = (["192.0.2.1"], ["192.0.2.2"])

    def look(_: int) -> list[str]:
        return [ip.address for ip in decide(db, mta="mta1", sender="a@alice.example").ips]

    with ThreadPoolExecutor(max_workers=4) as pool:
        for n in range(6):
            subusers.set_subuser_ips(
                db, account=acme, username="alice", mode=SetMode.SPECIFY, ips=sets[n % 2], actor=A
            )
            answers = list(pool.map(look, range(40)))
            assert all(a == sets[n % 2] for a in answers)


def test_mta_plan_holds_the_mta_ips_and_every_holder(db: Database) -> None:
    seed(db)
    ips.set_mta(db, address="192.0.2.2", mta=None, actor=A)
    plan = mta_plan(db, mta="mta1")
    assert plan.mta == "mta1"
    assert [ip.address for ip in plan.ips] == ["192.0.2.1", "198.51.100.1", "2001:db8::1"]
    assert all(ip.mta == "mta1" for ip in plan.ips)
    names = [(h.account, h.subuser) for h in plan.holders]
    assert names == [
        ("acme", None),
        ("acme", "alice"),
        ("acme", "bob"),
        ("acme", "carol"),
        ("zeta", None),
    ]
    alice: Holder = plan.holders[1]
    assert [ip.address for ip in alice.held] == ["192.0.2.1", "192.0.2.10"]
    assert [ip.address for ip in alice.account_ips] == [
        "192.0.2.1",
        "192.0.2.2",
        "192.0.2.10",
        "2001:db8::1",
    ]
    assert plan.holders[3].active is False
    with pytest.raises(BadMtaName):
        mta_plan(db, mta="no spaces")
