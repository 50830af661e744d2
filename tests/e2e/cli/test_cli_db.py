"""`ipfleet db upgrade`, and every other command refusing an unmigrated database."""

from __future__ import annotations

from pathlib import Path

from ipfleet.store.migrate import head
from tests.support.cli import Ipfleet


def test_unmigrated_database_is_refused_until_upgraded(blank_url: str, tmp_path: Path) -> None:
    ipfleet = Ipfleet(blank_url, tmp_path)
    refused = ipfleet("account", "create", "acme", "--json")
    assert refused.status == 2
    line = refused.error_line()
    assert "run `ipfleet db upgrade`" in line

    assert ipfleet.json("db", "upgrade") == {"from": None, "to": head()}
    assert ipfleet.json("db", "upgrade") == {"from": head(), "to": head()}
    assert ipfleet.json("account", "list") == []


def test_upgrade_of_a_migrated_database_says_where_it_is(ipfleet: Ipfleet) -> None:
    out = ipfleet.ok("db", "upgrade").stdout
    assert f"Database at revision {head()}" in out
