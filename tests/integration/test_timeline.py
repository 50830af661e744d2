"""The timeline, on both databases: periods written by the database in the same transaction
as each write, and the questions an abuse desk asks of them (docs/timeline.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from ipfleet.domain.errors import IpNotFound
from ipfleet.domain.records import Account
from ipfleet.domain.timeline import Sender
from ipfleet.services.accounts import get_account
from ipfleet.services.inventory import add_to_inventory
from ipfleet.services.ips import add_ips, release_ips
from ipfleet.services.sending_domains import add_sending_domain, attach_sending_domain
from ipfleet.services.subusers import (
    SetMode,
    create_subuser,
    delete_subuser,
    set_subuser_active,
    set_subuser_ips,
)
from ipfleet.services.timeline import (
    account_ip_history,
    account_who_at,
    ip_history,
    who_at,
    who_sent,
)
from ipfleet.store.uow import Database
from tests.support.db import ACTOR, Made

X, Y = "192.0.2.10", "192.0.2.11"


@dataclass
class Story:
    """A tenancy story told through the services, with a moment after each chapter."""

    db: Database
    a: Account
    b: Account
    moments: dict[str, datetime] = field(default_factory=dict)

    def mark(self, name: str) -> None:
        self.moments[name] = datetime.now(UTC)

    def at(self, name: str) -> datetime:
        return self.moments[name]


def _account(db: Database, made: Made) -> Account:
    return get_account(db, username=made.name)


@pytest.fixture
def story(db: Database, make_account: Callable[..., Made]) -> Story:
    """X and Y go to A; alice (empty set) and bob ({X}) send; bob is deactivated; X goes
    back to the inventory and on to B."""
    a, b = make_account("acme"), make_account("beta")
    s = Story(db, _account(db, a), _account(db, b))
    add_to_inventory(db, specs=[X, Y], actor=ACTOR)
    s.mark("inventory")
    add_ips(db, account=get_account(db, username="acme"), specs=[X, Y], actor=ACTOR)
    s.mark("on_a")
    create_subuser(
        db,
        account=get_account(db, username="acme"),
        username="alice",
        email="a@x.test",
        actor=ACTOR,
    )
    create_subuser(
        db, account=get_account(db, username="acme"), username="bob", email="b@x.test", actor=ACTOR
    )
    set_subuser_ips(db, account=s.a, username="bob", mode=SetMode.SPECIFY, ips=[X], actor=ACTOR)
    s.mark("held")
    set_subuser_active(
        db, account=get_account(db, username="acme"), username="bob", active=False, actor=ACTOR
    )
    s.mark("bob_off")
    release_ips(
        db, account=get_account(db, username="acme"), addresses=[X], force=True, actor=ACTOR
    )
    s.mark("released")
    add_ips(db, account=get_account(db, username="beta"), specs=[X], actor=ACTOR)
    s.mark("on_b")
    return s


def test_who_at_every_chapter(story: Story) -> None:
    db = story.db
    assert who_at(db, address=X, at=story.at("inventory")).account is None
    assert who_at(db, address=X, at=story.at("on_a")).account == "acme"
    held = who_at(db, address=X, at=story.at("held"))
    assert held.account == "acme"
    assert held.senders == (
        Sender("alice", True, None, explicit=False),
        Sender("bob", True, None, explicit=True),
    )
    off = who_at(db, address=X, at=story.at("bob_off"))
    assert off.senders == (
        Sender("alice", True, None, explicit=False),
        Sender("bob", False, None, explicit=True),
    )
    gone = who_at(db, address=X, at=story.at("released"))
    assert (gone.account, gone.senders) == (None, ())
    assert who_at(db, address=X, at=story.at("on_b")).account == "beta"
    # Y stayed on A: bob held only X, so only alice (empty set) could send from Y.
    assert who_at(db, address=Y, at=story.at("held")).senders == (
        Sender("alice", True, None, explicit=False),
    )


def test_history_lists_every_period_in_order(story: Story) -> None:
    periods = ip_history(story.db, address=X)
    assert [(p.kind, p.account, p.subuser) for p in periods] == [
        ("account", "acme", None),
        ("holding", "acme", "bob"),
        ("account", "beta", None),
    ]
    owned_by_a, held, owned_by_b = periods
    assert owned_by_a.ended_at == held.ended_at  # both end with the release, one instant
    assert owned_by_b.ended_at is None
    assert ip_history(story.db, address=X, since=story.at("released")) == [owned_by_b]


def test_a_reseller_sees_only_its_own_tenancy(
    story: Story, make_account: Callable[..., Made]
) -> None:
    db = story.db
    for_a = account_ip_history(db, account=story.a, address=X)
    assert {p.account for p in for_a} == {"acme"}
    assert [p.kind for p in for_a] == ["account", "holding"]
    for_b = account_ip_history(db, account=story.b, address=X)
    assert [(p.kind, p.account) for p in for_b] == [("account", "beta")]
    # At a moment X was A's, B learns nothing about it -- not even that it was taken.
    then = account_who_at(db, account=story.b, address=X, at=story.at("held"))
    assert (then.account, then.senders) == (None, ())
    assert account_who_at(db, account=story.a, address=X, at=story.at("held")).senders
    stranger = _account(db, make_account("gamma"))
    with pytest.raises(IpNotFound):
        account_ip_history(db, account=stranger, address=X)


def test_periods_start_with_the_change_log_row_of_their_write(story: Story) -> None:
    with story.db.engine.connect() as conn:
        logged = conn.execute(
            text("SELECT at FROM change_log WHERE action = 'subuser.set_ips' ORDER BY id")
        ).scalar_one()
    (held,) = [p for p in ip_history(story.db, address=X) if p.kind == "holding"]
    as_stored = logged if isinstance(logged, datetime) else datetime.fromisoformat(logged)
    assert held.started_at == as_stored.replace(tzinfo=UTC).astimezone(UTC)


def test_who_sent_follows_the_domain_then(story: Story) -> None:
    db = story.db
    add_sending_domain(
        db, account=story.a, mail_domain="em.shop.test", url_domain=None, actor=ACTOR
    )
    story.mark("registered")
    attach_sending_domain(
        db, account=story.a, username="alice", mail_domain="em.shop.test", actor=ACTOR
    )
    story.mark("attached")
    delete_subuser(db, account=get_account(db, username="acme"), username="alice", actor=ACTOR)
    story.mark("deleted")

    assert who_sent(db, sender="x@em.shop.test", at=story.at("on_b")) is None
    own = who_sent(db, sender="bounces@EM.shop.test", at=story.at("registered"))
    assert own is not None
    assert (own.account, own.subuser, own.addresses) == ("acme", None, (Y,))
    alice = who_sent(db, sender="bounces@em.shop.test", at=story.at("attached"))
    assert alice is not None
    assert (alice.subuser, alice.active, alice.addresses) == ("alice", True, (Y,))
    after = who_sent(db, sender="bounces@em.shop.test", at=story.at("deleted"))
    assert after is not None
    assert after.subuser is None  # the domain is the account's again
    # The release dropped bob's holding of X: his set became empty, so (deactivated as he
    # is) he could send from every IP of acme, Y included.
    bob = Sender("bob", False, None, explicit=False)
    assert who_at(db, address=Y, at=story.at("attached")).senders == (
        Sender("alice", True, "em.shop.test", explicit=False),
        bob,
    )
    assert who_at(db, address=Y, at=story.at("deleted")).senders == (bob,)
