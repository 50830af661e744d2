"""Sending domains through the services, on both backends: one owner installation-wide,
at most one per subuser and one subuser per domain, every change in the change log."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ipfleet.domain.errors import (
    BadMailDomain,
    MailDomainTaken,
    SubuserNotFound,
    WhitelabelNotFound,
)
from ipfleet.domain.records import Account
from ipfleet.services.accounts import get_account
from ipfleet.services.sending_domains import (
    SendingDomain,
    add_sending_domain,
    attach_sending_domain,
    list_sending_domains,
    remove_sending_domain,
)
from ipfleet.services.subusers import create_subuser
from ipfleet.store.uow import Database
from tests.support.db import ACTOR, Made

MakeAccount = Callable[..., Made]


def add(db: Database, account: Account, domain: str, url: str | None = None) -> SendingDomain:
    return add_sending_domain(db, account=account, mail_domain=domain, url_domain=url, actor=ACTOR)


def attach(db: Database, account: Account, user: str, domain: str | None) -> str | None:
    return attach_sending_domain(
        db, account=account, username=user, mail_domain=domain, actor=ACTOR
    )


def listed(db: Database, account: Account) -> list[tuple[str, str, str | None]]:
    return [
        (d.mail_domain, d.url_domain, d.subuser) for d in list_sending_domains(db, account=account)
    ]


def log(db: Database) -> list[tuple[str, str, object, object]]:
    return [
        (r["action"], r["subject"], r["before"], r["after"])
        for r in db.read(lambda uow: uow.log.entries())
        if r["action"].startswith(("whitelabel.", "subuser.set_whitelabel"))
    ]


def test_domains_are_stored_lower_case_a_labels(db: Database, make_account: MakeAccount) -> None:
    acme = make_account("acme").account
    assert add(db, acme, "EM.Example.COM.") == SendingDomain(
        "em.example.com", "em.example.com", None
    )
    add(db, acme, "Bücher.example", "Links.Example")
    add(db, acme, "a.example")
    assert listed(db, acme) == [
        ("a.example", "a.example", None),
        ("em.example.com", "em.example.com", None),
        ("xn--bcher-kva.example", "links.example", None),
    ]
    for bad in (
        "example",
        "-a.example",
        "a_b.example",
        "a..example",
        "",
        "a b.example",
        "x" * 64 + ".example",
    ):
        with pytest.raises(BadMailDomain):
            add(db, acme, bad)


def test_a_domain_has_one_owner_and_the_error_names_none(
    db: Database, make_account: MakeAccount
) -> None:
    acme, zeta = make_account("acme").account, make_account("zeta").account
    add(db, acme, "shared.example")
    for account, spelling in ((zeta, "SHARED.example"), (acme, "shared.example")):
        with pytest.raises(MailDomainTaken) as err:
            add(db, account, spelling)
        assert "acme" not in err.value.message
    assert listed(db, zeta) == []
    # another account's domain is not found, exactly as an unknown one
    with pytest.raises(WhitelabelNotFound) as err:
        remove_sending_domain(db, account=zeta, mail_domain="Shared.Example", actor=ACTOR)
    assert err.value.message == "Whitelabel record not found: shared.example"


def test_attach_replaces_moves_and_detaches(db: Database, make_account: MakeAccount) -> None:
    acme = make_account("acme").account
    for name in ("alice", "bob"):
        create_subuser(
            db, account=get_account(db, username="acme"), username=name, email="", actor=ACTOR
        )
    add(db, acme, "one.example")
    add(db, acme, "two.example")
    assert attach(db, acme, "alice", "ONE.example") == "one.example"
    assert attach(db, acme, "alice", "two.example") == "two.example"  # replaces one.example
    assert attach(db, acme, "bob", "two.example") == "two.example"  # moves from alice
    assert listed(db, acme) == [
        ("one.example", "one.example", None),
        ("two.example", "two.example", "bob"),
    ]
    assert attach(db, acme, "bob", None) is None
    assert attach(db, acme, "bob", None) is None  # nothing to do, nothing logged
    assert log(db)[2:] == [
        (
            "subuser.set_whitelabel",
            "subuser:alice",
            {"mail_domain": None},
            {"mail_domain": "one.example"},
        ),
        (
            "subuser.set_whitelabel",
            "subuser:alice",
            {"mail_domain": "one.example"},
            {"mail_domain": "two.example"},
        ),
        (
            "subuser.set_whitelabel",
            "subuser:alice",
            {"mail_domain": "two.example"},
            {"mail_domain": None},
        ),
        (
            "subuser.set_whitelabel",
            "subuser:bob",
            {"mail_domain": None},
            {"mail_domain": "two.example"},
        ),
        (
            "subuser.set_whitelabel",
            "subuser:bob",
            {"mail_domain": "two.example"},
            {"mail_domain": None},
        ),
    ]


def test_attach_checks_the_subuser_then_the_domain(db: Database, make_account: MakeAccount) -> None:
    acme, zeta = make_account("acme").account, make_account("zeta").account
    create_subuser(
        db, account=get_account(db, username="acme"), username="alice", email="", actor=ACTOR
    )
    create_subuser(
        db, account=get_account(db, username="zeta"), username="zoe", email="", actor=ACTOR
    )
    add(db, zeta, "zeta.example")
    with pytest.raises(SubuserNotFound):
        attach(db, acme, "zoe", "nowhere.example")
    with pytest.raises(WhitelabelNotFound):
        attach(db, acme, "alice", "zeta.example")
    with pytest.raises(WhitelabelNotFound):
        attach(db, acme, "alice", "not a domain")
    assert listed(db, zeta) == [("zeta.example", "zeta.example", None)]


def test_remove_detaches_the_subuser_first(db: Database, make_account: MakeAccount) -> None:
    acme = make_account("acme").account
    create_subuser(
        db, account=get_account(db, username="acme"), username="alice", email="", actor=ACTOR
    )
    add(db, acme, "a.example", "t.example")
    attach(db, acme, "alice", "a.example")
    gone = remove_sending_domain(db, account=acme, mail_domain="A.example", actor=ACTOR)
    assert gone == SendingDomain("a.example", "t.example", "alice")
    assert listed(db, acme) == []
    assert log(db)[-2:] == [
        (
            "subuser.set_whitelabel",
            "subuser:alice",
            {"mail_domain": "a.example"},
            {"mail_domain": None},
        ),
        (
            "whitelabel.remove",
            "domain:a.example",
            {"mail_domain": "a.example", "url_domain": "t.example"},
            None,
        ),
    ]
    add(db, acme, "a.example")  # free to register again
    assert attach(db, acme, "alice", "a.example") == "a.example"
