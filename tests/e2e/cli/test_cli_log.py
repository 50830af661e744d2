"""`ipfleet log verify` (the change log replayed against the state) and the default quota of
a new account, through the real console script."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ipfleet.store.uow import Database
from tests.support.cli import Ipfleet


def test_log_verify_says_consistent_then_finds_a_tampered_row(
    ipfleet: Ipfleet, db: Database
) -> None:
    ipfleet.ok("inventory", "add", "10.0.0.0/30")
    ipfleet.ok("account", "create", "acme")
    ipfleet.ok("account", "set-quota", "acme", "2")
    ipfleet.ok("account", "take", "acme", "2")
    ipfleet.ok("ip", "set-hostname", "10.0.0.1", "mta1.acme.test")
    ipfleet.ok("account", "release", "acme", "10.0.0.1")
    assert ipfleet.ok("log", "verify").stdout.startswith("consistent (")
    verdict = ipfleet.json("log", "verify")
    assert verdict["consistent"] is True
    assert verdict["difference"] is None
    assert verdict["entries"] >= 7

    # A change made behind ipfleet's back (no log row) is found, and named.
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE ip_addresses SET hostname = 'x.test' WHERE address = '10.0.0.2'"))
    found = ipfleet("log", "verify")
    assert found.status == 1
    assert found.stdout.startswith("inconsistent: ips[10.0.0.2]")
    as_json = ipfleet("log", "verify", "--json")
    assert as_json.status == 1
    assert '"consistent": false' in as_json.stdout


def test_log_verify_finds_a_period_that_disagrees_with_the_state(
    ipfleet: Ipfleet, db: Database
) -> None:
    ipfleet.ok("inventory", "add", "10.0.0.0/30")
    ipfleet.ok("account", "create", "acme")
    ipfleet.ok("ip", "add", "acme", "10.0.0.1")
    assert ipfleet.json("log", "verify")["consistent"] is True
    # An ownership period closed behind ipfleet's back: the IP is on acme, the timeline
    # says it no longer is.
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE ip_periods SET ended_at = started_at WHERE kind = 'account'"))
    found = ipfleet("log", "verify")
    assert found.status == 1
    assert found.stdout.startswith("inconsistent: timeline: account 10.0.0.1")


def test_a_new_account_gets_the_default_quota(
    ipfleet: Ipfleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    ipfleet.ok("inventory", "add", "10.0.0.1")
    ipfleet.ok("account", "create", "acme")
    listed = ipfleet.json("account", "list")
    assert [(a["username"], a["ip_quota"]) for a in listed] == [("acme", 0)]
    refused = ipfleet("account", "take", "acme", "1")
    assert refused.status != 0
    assert "the quota of acme allows 0 more" in refused.error_line()
    ipfleet.ok("account", "set-quota", "acme", "unlimited")
    assert ipfleet.json("account", "take", "acme", "1")["taken"] == ["10.0.0.1"]

    monkeypatch.setenv("IPFLEET_DEFAULT_QUOTA", "unlimited")  # the console script inherits it
    ipfleet.ok("account", "create", "wide")
    quotas = {a["username"]: a["ip_quota"] for a in ipfleet.json("account", "list")}
    assert quotas == {"acme": None, "wide": None}
