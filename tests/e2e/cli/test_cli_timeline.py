"""`ipfleet ip history` and `ipfleet who` through the real console script."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from ipfleet.domain.records import Actor
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.inventory import add_to_inventory
from ipfleet.services.ips import add_ips, release_ips
from ipfleet.services.subusers import SetMode, create_subuser, set_subuser_ips
from ipfleet.store.uow import Database
from tests.support.cli import Ipfleet

SEED = Actor(name="test:seed", request_id="seed")


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture
def moments(db: Database) -> dict[str, str]:
    """192.0.2.10 on acme (held by bob), then back to the inventory, then on beta."""
    for name in ("acme", "beta"):
        create_account(db, username=name, outbound_cluster=None, actor=SEED)
    add_to_inventory(db, specs=["192.0.2.8/30"], actor=SEED)
    add_ips(
        db, account=get_account(db, username="acme"), specs=["192.0.2.10", "192.0.2.9"], actor=SEED
    )
    create_subuser(
        db, account=get_account(db, username="acme"), username="bob", email="b@x.test", actor=SEED
    )
    acme = get_account(db, username="acme")
    set_subuser_ips(
        db, account=acme, username="bob", mode=SetMode.SPECIFY, ips=["192.0.2.10"], actor=SEED
    )
    held = _now()
    release_ips(
        db,
        account=get_account(db, username="acme"),
        addresses=["192.0.2.10"],
        force=True,
        actor=SEED,
    )
    add_ips(db, account=get_account(db, username="beta"), specs=["192.0.2.10"], actor=SEED)
    return {"held": held, "now": _now()}


def test_who_names_the_tenant_and_its_senders(ipfleet: Ipfleet, moments: dict[str, str]) -> None:
    then = ipfleet.json("who", "192.0.2.10", "--at", moments["held"])
    assert then["account"] == "acme"
    assert [(s["username"], s["active"], s["holds"]) for s in then["subusers"]] == [
        ("bob", True, "explicitly")
    ]
    assert ipfleet.json("who", "192.0.2.10", "--at", moments["now"])["account"] == "beta"
    people = ipfleet.ok("who", "192.0.2.10", "--at", moments["held"]).stdout
    assert "was on acme" in people
    assert "bob" in people


def test_history_json_and_csv(ipfleet: Ipfleet, moments: dict[str, str]) -> None:
    periods = ipfleet.json("ip", "history", "192.0.2.10")
    assert [(p["kind"], p["account"], p["subuser"]) for p in periods] == [
        ("account", "acme", None),
        ("holding", "acme", "bob"),
        ("account", "beta", None),
    ]
    assert periods[-1]["ended_at"] is None
    exported = ipfleet.ok("ip", "history", "192.0.2.8/30", "--csv", "--since", moments["held"])
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [(r["address"], r["kind"], r["account"]) for r in rows] == [
        ("192.0.2.9", "account", "acme"),
        ("192.0.2.10", "account", "acme"),
        ("192.0.2.10", "holding", "acme"),
        ("192.0.2.10", "account", "beta"),
    ]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("who", "192.0.2.10", "--at", "yesterday"), "Not a time"),
        (("who", "192.0.2.10", "--at", "2026-12-03T14:02:00"), "needs a zone"),
        (("who", "--at", "1700000000"), "Give either an IP or --sender"),
        (("ip", "history", "192.0.2.8/30"), "with --csv"),
        (("ip", "history", "192.0.2.300"), "Invalid IP address"),
    ],
)
def test_bad_input_is_one_clear_line(
    ipfleet: Ipfleet, moments: dict[str, str], args: tuple[str, ...], says: str
) -> None:
    assert says in ipfleet(*args).error_line()
