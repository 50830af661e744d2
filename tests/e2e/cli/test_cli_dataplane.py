"""`ipfleet whitelabel`, `subuser set-whitelabel`, `ip set-mta`, `ip list --mta`,
`inventory add --mta` and `explain`, through the real console script."""

from __future__ import annotations

from ipfleet.domain.records import Actor
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.ips import add_ips
from ipfleet.services.subusers import SetMode, create_subuser, set_subuser_ips
from ipfleet.store.uow import Database
from tests.support.cli import Ipfleet

SEED = Actor(name="test:seed", request_id="seed")


def seed(db: Database) -> None:
    for name in ("acme", "zeta"):
        create_account(db, username=name, outbound_cluster=None, actor=SEED)
    add_ips(
        db,
        account=get_account(db, username="acme"),
        specs=["192.0.2.1", "192.0.2.2", "2001:db8::1"],
        actor=SEED,
    )
    create_subuser(
        db, account=get_account(db, username="acme"), username="alice", email="", actor=SEED
    )
    set_subuser_ips(
        db,
        account=get_account(db, username="acme"),
        username="alice",
        mode=SetMode.SPECIFY,
        ips=["192.0.2.2", "2001:db8::1"],
        actor=SEED,
    )


def test_whitelabel_commands(ipfleet: Ipfleet, db: Database) -> None:
    seed(db)
    added = ipfleet.json(
        "whitelabel", "add", "acme", "EM.Example.com", "--url-domain", "Links.Example"
    )
    assert added == {
        "account": "acme",
        "mail_domain": "em.example.com",
        "url_domain": "links.example",
        "subuser": None,
    }
    ipfleet.ok("whitelabel", "add", "acme", "b.example")
    taken = ipfleet("whitelabel", "add", "zeta", "em.example.COM")
    assert (taken.status, taken.error_line()) == (
        4,
        "error: Mail domain is already registered: em.example.com",
    )
    bad = ipfleet("whitelabel", "add", "zeta", "not_a domain")
    assert (bad.status, bad.error_line()) == (2, "error: Invalid mail domain: not_a domain")
    assert ipfleet.json("subuser", "set-whitelabel", "acme", "alice", "em.example.com") == {
        "account": "acme",
        "username": "alice",
        "mail_domain": "em.example.com",
    }
    assert ipfleet.json("whitelabel", "list", "acme") == [
        {"mail_domain": "b.example", "url_domain": "b.example", "subuser": None},
        {"mail_domain": "em.example.com", "url_domain": "links.example", "subuser": "alice"},
    ]
    assert "alice" in ipfleet.ok("whitelabel", "list", "acme").stdout
    foreign = ipfleet("subuser", "set-whitelabel", "zeta", "alice", "b.example")
    assert (foreign.status, foreign.error_line()) == (3, "error: User does not exist")
    usage = ipfleet("subuser", "set-whitelabel", "acme", "alice", "b.example", "--none")
    assert (usage.status, usage.error_line()) == (2, "error: give either a mail domain or --none")
    assert ipfleet.json("whitelabel", "remove", "acme", "EM.example.com") == {
        "account": "acme",
        "removed": "em.example.com",
        "detached": "alice",
    }
    gone = ipfleet("whitelabel", "remove", "zeta", "b.example")
    assert (gone.status, gone.error_line()) == (3, "error: Whitelabel record not found: b.example")
    assert (
        ipfleet.json("subuser", "set-whitelabel", "acme", "alice", "b.example")["mail_domain"]
        == "b.example"
    )
    assert (
        ipfleet.json("subuser", "set-whitelabel", "acme", "alice", "--none")["mail_domain"] is None
    )


def test_mta_commands_and_explain(ipfleet: Ipfleet, db: Database) -> None:
    seed(db)
    assert ipfleet.json("ip", "set-mta", "192.0.2.2", "mta1") == {"ip": "192.0.2.2", "mta": "mta1"}
    ipfleet.ok("ip", "set-mta", "2001:DB8::1", "mta2")
    bad = ipfleet("ip", "set-mta", "192.0.2.2", "mta 1")
    assert bad.status == 2
    assert bad.error_line().startswith("error: Invalid MTA name")
    unknown = ipfleet("ip", "set-mta", "203.0.113.9", "mta1")
    assert (unknown.status, unknown.error_line()) == (
        2,
        "error: IP address is not known to ipfleet: 203.0.113.9",
    )
    assert ipfleet.json("ip", "list", "acme", "--mta", "mta1") == [
        {"ip": "192.0.2.2", "hostname": None, "mta": "mta1", "enabled": True}
    ]
    added = ipfleet.json("inventory", "add", "10.9.0.0/30", "--mta", "mta3")
    assert added["added"] == 2
    ipfleet.ok("account", "set-quota", "acme", "unlimited")  # new accounts start at 0
    ipfleet.ok("account", "take", "acme", "2")
    assert [r["ip"] for r in ipfleet.json("ip", "list", "acme", "--mta", "mta3")] == [
        "10.9.0.1",
        "10.9.0.2",
    ]

    ipfleet.ok("whitelabel", "add", "acme", "alice.example")
    ipfleet.ok("subuser", "set-whitelabel", "acme", "alice", "alice.example")
    assert ipfleet.json("explain", "news@Alice.Example", "--mta", "mta1") == {
        "sender": "news@Alice.Example",
        "mta": "mta1",
        "domain": "alice.example",
        "account": "acme",
        "subuser": "alice",
        "verdict": "send",
        "rule": "its set",
        "reason": None,
        "ips": [{"ip": "192.0.2.2", "transport": "ipfleet-192-0-2-2", "hostname": None}],
    }
    text = ipfleet.ok("explain", "news@alice.example", "--mta", "mta1").stdout
    assert "ipfleet-192-0-2-2" in text
    assert "its set" in text
    ipfleet.ok("ip", "set-mta", "192.0.2.2", "--none")
    deferred = ipfleet.json("explain", "news@alice.example", "--mta", "mta1")
    assert (deferred["verdict"], deferred["rule"], deferred["reason"], deferred["ips"]) == (
        "defer",
        "no IP on this MTA",
        "sender has no sending IP on mta1",
        [],
    )
    none = ipfleet.json("explain", "<>", "--mta", "mta1")
    assert (none["verdict"], none["domain"], none["account"]) == ("no_match", None, None)
