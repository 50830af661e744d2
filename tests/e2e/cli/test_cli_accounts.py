"""`ipfleet account ...` and `ipfleet key ...` through the real console script."""

from __future__ import annotations

import re

import pytest

from ipfleet.domain.errors import BadCredentials
from ipfleet.services.authentication import authenticate
from ipfleet.store.uow import Database
from tests.support.cli import Ipfleet

SG_KEY = re.compile(r"SG\.([A-Za-z0-9_-]{22})\.[A-Za-z0-9_-]{43}")


def test_account_create_and_list(ipfleet: Ipfleet, db: Database) -> None:
    created = ipfleet.json("account", "create", "acme", "--outbound-cluster", "mta-7")
    assert set(created) == {"username", "api_key"}
    assert created["username"] == "acme"
    assert SG_KEY.fullmatch(created["api_key"])
    assert authenticate(db, username="acme", api_key=created["api_key"]).username == "acme"

    human = ipfleet.ok("account", "create", "bravo").stdout
    key = SG_KEY.search(human)
    assert key is not None
    assert authenticate(db, username="bravo", api_key=key.group(0)).username == "bravo"

    again = ipfleet("account", "create", "acme")
    assert again.status == 4
    assert again.error_line() == "error: Account already exists: acme"

    listed = ipfleet.json("account", "list")
    assert [(a["username"], a["outbound_cluster"]) for a in listed] == [
        ("acme", "mta-7"),
        ("bravo", None),
    ]
    table = ipfleet.ok("account", "list").stdout
    assert "acme" in table
    assert "mta-7" in table


def test_keys_create_list_revoke(ipfleet: Ipfleet, db: Database) -> None:
    first = ipfleet.json("account", "create", "acme")["api_key"]
    made = ipfleet.json("key", "create", "acme", "--name", "ci")
    assert made["username"] == "acme"
    assert made["name"] == "ci"
    assert SG_KEY.fullmatch(made["api_key"])
    assert made["key_id"] == made["api_key"].split(".")[1]
    assert authenticate(db, username="acme", api_key=made["api_key"]).username == "acme"

    first_id = first.split(".")[1]
    assert ipfleet.json("key", "revoke", "acme", first_id) == {
        "username": "acme",
        "key_id": first_id,
        "revoked": True,
    }
    with pytest.raises(BadCredentials):
        authenticate(db, username="acme", api_key=first)
    assert authenticate(db, username="acme", api_key=made["api_key"]).username == "acme"

    keys = {k["key_id"]: k for k in ipfleet.json("key", "list", "acme")}
    assert set(keys) == {first_id, made["key_id"]}
    assert keys[first_id]["revoked_at"] is not None
    assert keys[made["key_id"]]["revoked_at"] is None
    assert keys[made["key_id"]]["name"] == "ci"
    # the listing never shows a secret
    listing = ipfleet.ok("key", "list", "acme").stdout
    assert first.split(".")[2] not in listing
    assert made["api_key"].split(".")[2] not in listing

    twice = ipfleet("key", "revoke", "acme", first_id)
    assert twice.status == 3
    assert first_id in twice.error_line()
    ghost = ipfleet("key", "list", "ghost")
    assert ghost.status == 3
    assert ghost.error_line() == "error: Account does not exist: ghost"
