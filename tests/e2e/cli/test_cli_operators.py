"""`ipfleet operator ...`: the dashboard's operator tokens, through the real console script."""

from __future__ import annotations

import re

import pytest

from ipfleet.domain.errors import BadCredentials
from ipfleet.services.operators import check_operator_token
from ipfleet.store.uow import Database
from tests.support.cli import Ipfleet

TOKEN = re.compile(r"ipfop\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}")


def test_operator_create_prints_a_token_once_and_revoke_ends_it(
    ipfleet: Ipfleet, db: Database
) -> None:
    made = ipfleet.json("operator", "create", "ops")
    assert set(made) == {"name", "token"}
    assert TOKEN.fullmatch(made["token"])
    assert check_operator_token(db, token=made["token"])[0] == "ops"
    stored = db.read(lambda uow: uow.operators.by_name("ops"))
    assert stored is not None
    assert made["token"] not in repr(stored)  # only its hash is kept

    again = ipfleet("operator", "create", "ops")
    assert again.status == 4
    assert again.error_line() == "error: Operator already exists: ops"

    assert ipfleet.ok("operator", "revoke", "ops").stdout.strip() == "Revoked operator ops."
    with pytest.raises(BadCredentials):
        check_operator_token(db, token=made["token"])
    gone = ipfleet("operator", "revoke", "ops")
    assert gone.status == 3
    assert gone.error_line() == "error: Operator does not exist: ops"

    fresh = TOKEN.search(ipfleet.ok("operator", "create", "ops").stdout)
    assert fresh is not None
    assert check_operator_token(db, token=fresh.group(0))[0] == "ops"
    bad = ipfleet("operator", "create", "")
    assert bad.status == 2
