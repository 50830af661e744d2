"""`ipfleet demo`: idempotent; its key is kept and reused, and revoked when replaced."""

from __future__ import annotations

import re
import stat

import pytest

from ipfleet.domain.errors import BadCredentials
from ipfleet.domain.states import IpState
from ipfleet.services.accounts import get_account
from ipfleet.services.authentication import authenticate
from ipfleet.services.ips import list_ips
from ipfleet.services.keys import list_keys
from ipfleet.services.subusers import list_subusers
from ipfleet.store.uow import Database
from tests.support.cli import Ipfleet

SG_KEY = re.compile(r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}")


def snapshot(db: Database) -> tuple[list[str], list[tuple[str, bool, list[str]]]]:
    ips = list_ips(db, account=get_account(db, username="demo"), state=IpState.ALL)
    subs = [
        (v.subuser.username, v.subuser.active, v.ips)
        for v in list_subusers(db, account=get_account(db, username="demo"))
    ]
    return ips, subs


def test_demo_is_idempotent_and_keeps_one_live_demo_key(ipfleet: Ipfleet, db: Database) -> None:
    first = ipfleet.json("demo")
    assert first["username"] == "demo"
    assert SG_KEY.fullmatch(first["api_key"])
    assert all(first["api_key"] in example for example in first["examples"])
    state = snapshot(db)
    ips, subs = state
    assert ips[:3] == ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
    assert len(ips) == 14 + 15  # 192.0.2.0/28 and 2001:db8::/124
    assert ips[-1] == "2001:db8::f"
    assert subs == [
        ("alice", True, ["192.0.2.1", "192.0.2.2", "2001:db8::1"]),
        ("bob", True, ["192.0.2.2", "192.0.2.3"]),
        ("carol", False, ["192.0.2.4"]),
    ]

    # Run again: the key kept in var/demo.key (0600) is still live, so it is reused.
    kept = ipfleet.cwd / "var" / "demo.key"
    assert kept.read_text().strip() == first["api_key"]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    second = ipfleet.ok("demo").stdout
    assert SG_KEY.findall(second) == [first["api_key"]] * (1 + len(first["examples"]))
    assert "kept from an earlier run" in second
    assert snapshot(db) == state
    assert (
        len(list_keys(db, account=get_account(db, username="demo"))) == 2
    )  # the account's first, and the demo key

    # The file lost: a new key, and the old demo key revoked (never two live demo keys).
    kept.unlink()
    third = ipfleet.json("demo")
    assert third["api_key"] != first["api_key"]
    assert authenticate(db, username="demo", api_key=third["api_key"]).username == "demo"
    with pytest.raises(BadCredentials):
        authenticate(db, username="demo", api_key=first["api_key"])
    live = [
        k for k in list_keys(db, account=get_account(db, username="demo")) if k.revoked_at is None
    ]
    assert len(live) == 2
    assert kept.read_text().strip() == third["api_key"]
    assert snapshot(db) == state
