"""The platform inventory: bulk import, quotas, atomic takes, releases, host names.

Through the services (services/inventory.py, services/ips.py) and through the real
`ipfleet` console script in a subprocess, on both backends.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from ipfleet.domain.addresses import expand
from ipfleet.domain.errors import (
    AccountNotFound,
    AddressInUse,
    AddressRejected,
    AddressTaken,
    InvalidValue,
    NotEnoughIps,
    RangeTooLarge,
)
from ipfleet.domain.states import IpState
from ipfleet.services import inventory as inv
from ipfleet.services import ips as _ips_svc
from ipfleet.services import quota as _quota_svc
from ipfleet.services.accounts import get_account
from ipfleet.services.ips import add_ips, list_ip_hostnames, set_hostname
from ipfleet.services.subusers import SetMode, create_subuser, set_subuser_ips, subuser_ips
from ipfleet.store.tables import accounts, ip_addresses, pool_members, pools
from ipfleet.store.uow import Database
from tests.support.cli import cli_error, run_cli
from tests.support.db import ACTOR, dump, log_rows_of
from tests.support.seed import make_account

V4_29 = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"]


def ip_table(db: Database) -> dict[str, dict[str, Any]]:
    """Every known address with its account's name, host name and timestamps."""
    stmt = (
        select(
            ip_addresses.c.id,
            ip_addresses.c.address,
            accounts.c.username,
            ip_addresses.c.hostname,
            ip_addresses.c.assigned_at,
            ip_addresses.c.warmup_started_at,
        )
        .select_from(ip_addresses.outerjoin(accounts))
        .order_by(ip_addresses.c.sort_key)
    )
    with db.engine.connect() as conn:
        return {r.address: dict(r._mapping) for r in conn.execute(stmt)}


def free_inventory(db: Database) -> list[str]:
    return [e.address for e in inv.list_inventory(db, free_only=True)]


def on_account(db: Database, name: str) -> list[str]:
    return [a for a, row in ip_table(db).items() if row["username"] == name]


def without_log(snapshot: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {k: v for k, v in snapshot.items() if k != "change_log"}


# ------------------------------------------------------------------ bulk import


def test_import_skips_network_and_broadcast_and_is_idempotent(db: Database) -> None:
    specs = ["10.0.0.0/29", "10.0.1.5", "2001:db8:1::/125", "10.9.9.0/31"]
    v6 = [f"2001:db8:1::{n}" for n in range(1, 8)]  # the subnet-router anycast ::0 skipped
    expected = [*V4_29, "10.0.1.5", "10.9.9.0", "10.9.9.1", *v6]

    first = inv.add_to_inventory(db, specs=specs, actor=ACTOR)
    assert (first.added, first.already_in_inventory, first.on_accounts) == (len(expected), 0, 0)
    entries = inv.list_inventory(db, free_only=False)
    assert [e.address for e in entries] == expected  # numeric order, IPv4 first
    assert {e.account for e in entries} == {None}
    assert "10.0.0.0" not in ip_table(db)
    assert "10.0.0.7" not in ip_table(db)

    before = without_log(dump(db))
    again = inv.add_to_inventory(db, specs=specs, actor=ACTOR)
    assert (again.added, again.already_in_inventory, again.on_accounts) == (0, len(expected), 0)
    assert without_log(dump(db)) == before

    # An address already on an account stays there and is reported.
    make_account(db, "ra", ["10.0.0.3"])
    third = inv.add_to_inventory(db, specs=["10.0.0.0/29", "10.0.2.1"], actor=ACTOR)
    assert (third.added, third.already_in_inventory, third.on_accounts) == (1, 5, 1)
    assert ip_table(db)["10.0.0.3"]["username"] == "ra"
    assert "10.0.0.3" not in free_inventory(db)
    assert [r["after"]["added"] for r in log_rows_of(db, "inventory.add")] == [len(expected), 0, 1]


def test_import_is_all_or_nothing(db: Database) -> None:
    bad = ["10.0.0.0/28", "10.0.0.300", "10.0.1.0/33", "10.0.2.1/24", "2001:db8::/64", "x"]
    with pytest.raises(AddressRejected) as err:
        inv.add_to_inventory(db, specs=bad, actor=ACTOR)
    named = " ".join(err.value.details)
    for spec in ("10.0.0.300", "10.0.1.0/33", "10.0.2.1/24", "2001:db8::/64", "x"):
        assert spec in named
    assert ip_table(db) == {}
    assert log_rows_of(db, "inventory.add") == []


def test_a_large_range_needs_a_limit(db: Database) -> None:
    for spec in ("2001:db8::/111", "2001:db8::/64", "10.0.0.0/15"):
        with pytest.raises(RangeTooLarge) as err:
            inv.add_to_inventory(db, specs=["192.0.2.1", spec], actor=ACTOR)
        assert "--limit" in err.value.message
        assert spec in err.value.message
    assert ip_table(db) == {}

    # --limit N takes the first N hosts of each range.
    result = inv.add_to_inventory(
        db, specs=["2001:db8::/64", "10.0.0.0/8", "192.0.2.1"], limit=3, actor=ACTOR
    )
    assert result.added == 7
    assert free_inventory(db) == [
        "10.0.0.1",
        "10.0.0.2",
        "10.0.0.3",
        "192.0.2.1",
        "2001:db8::1",
        "2001:db8::2",
        "2001:db8::3",
    ]


def test_the_range_limit_is_65536_addresses() -> None:
    assert len(expand(["2001:db8::/112"])) == 65_535  # 65,536 addresses: allowed
    with pytest.raises(RangeTooLarge):
        expand(["2001:db8::/111"])


def test_remove_from_inventory(db: Database) -> None:
    inv.add_to_inventory(db, specs=["10.0.0.0/29"], actor=ACTOR)
    make_account(db, "ra", ["10.0.0.2"])  # moved off the inventory
    before = dump(db)
    for addresses, kind in [
        (["10.0.0.1", "10.0.0.2"], AddressInUse),
        (["10.0.0.1", "10.0.0.9"], AddressRejected),
        (["10.0.0.1", "10.0.0.1/32"], AddressRejected),
    ]:
        with pytest.raises(kind):
            inv.remove_from_inventory(db, addresses=addresses, actor=ACTOR)
    assert dump(db) == before

    assert inv.remove_from_inventory(db, addresses=["10.0.0.5", "10.0.0.1"], actor=ACTOR)
    assert free_inventory(db) == ["10.0.0.3", "10.0.0.4", "10.0.0.6"]
    assert on_account(db, "ra") == ["10.0.0.2"]
    [row] = log_rows_of(db, "inventory.remove")
    assert sorted(row["before"]["addresses"]) == ["10.0.0.1", "10.0.0.5"]


# ------------------------------------------------------------- quotas and takes


def test_quota_counts_every_ip_on_the_account(db: Database) -> None:
    inv.add_to_inventory(db, specs=["10.0.0.0/28"], actor=ACTOR)  # 14 hosts
    make_account(db, "ra", ["192.0.2.1", "192.0.2.2"])  # put on directly, not taken
    assert (
        _quota_svc.remaining_ips(db, account=get_account(db, username="ra")) is None
    )  # unlimited, as seeded

    _quota_svc.set_quota(db, account=get_account(db, username="ra"), quota=5, actor=ACTOR)
    assert _quota_svc.remaining_ips(db, account=get_account(db, username="ra")) == 3
    with pytest.raises(NotEnoughIps) as err:
        inv.take_ips(db, account=get_account(db, username="ra"), count=4, actor=ACTOR)
    assert "3" in err.value.message
    assert len(on_account(db, "ra")) == 2
    taken = inv.take_ips(db, account=get_account(db, username="ra"), count=3, actor=ACTOR)
    assert len(taken) == len(set(taken)) == 3
    assert _quota_svc.remaining_ips(db, account=get_account(db, username="ra")) == 0
    with pytest.raises(NotEnoughIps):
        inv.take_ips(db, account=get_account(db, username="ra"), count=1, actor=ACTOR)

    # The operator may still add directly, knowingly, beyond the quota.
    add_ips(db, account=get_account(db, username="ra"), specs=["192.0.2.3"], actor=ACTOR)
    assert len(on_account(db, "ra")) == 6
    assert _quota_svc.remaining_ips(db, account=get_account(db, username="ra")) == 0

    _quota_svc.set_quota(db, account=get_account(db, username="ra"), quota=None, actor=ACTOR)
    assert _quota_svc.remaining_ips(db, account=get_account(db, username="ra")) is None
    assert (
        len(inv.take_ips(db, account=get_account(db, username="ra"), count=11, actor=ACTOR)) == 11
    )
    assert free_inventory(db) == []

    quota_log = [(r["before"], r["after"]) for r in log_rows_of(db, "account.set_quota")]
    assert quota_log == [
        ({"ip_quota": None}, {"ip_quota": 5}),
        ({"ip_quota": 5}, {"ip_quota": None}),
    ]
    with pytest.raises(InvalidValue):
        _quota_svc.set_quota(db, account=get_account(db, username="ra"), quota=-1, actor=ACTOR)
    with pytest.raises(AccountNotFound):
        _quota_svc.set_quota(db, account=get_account(db, username="nobody"), quota=1, actor=ACTOR)
    with pytest.raises(AccountNotFound):
        inv.take_ips(db, account=get_account(db, username="nobody"), count=1, actor=ACTOR)


def test_a_take_that_cannot_be_covered_takes_nothing(db: Database) -> None:
    inv.add_to_inventory(db, specs=["10.0.0.0/29"], actor=ACTOR)  # 6 free
    make_account(db, "ra")
    before = dump(db)

    with pytest.raises(NotEnoughIps) as err:  # the inventory is short
        inv.take_ips(db, account=get_account(db, username="ra"), count=7, actor=ACTOR)
    assert "7" in err.value.message
    assert "6" in err.value.message
    _quota_svc.set_quota(db, account=get_account(db, username="ra"), quota=2, actor=ACTOR)
    with pytest.raises(NotEnoughIps) as err:  # the quota is short
        inv.take_ips(db, account=get_account(db, username="ra"), count=3, actor=ACTOR)
    assert "2" in err.value.message
    for count in (0, -1):
        with pytest.raises(InvalidValue):
            inv.take_ips(db, account=get_account(db, username="ra"), count=count, actor=ACTOR)

    after = dump(db)
    assert after["ip_addresses"] == before["ip_addresses"]
    assert log_rows_of(db, "ip.take") == []
    assert free_inventory(db) == V4_29

    _quota_svc.set_quota(db, account=get_account(db, username="ra"), quota=None, actor=ACTOR)
    taken = inv.take_ips(db, account=get_account(db, username="ra"), count=6, actor=ACTOR)
    assert sorted(taken) == V4_29
    assert free_inventory(db) == []
    assert all(ip_table(db)[a]["assigned_at"] is not None for a in taken)
    [row] = log_rows_of(db, "ip.take")
    assert sorted(row["after"]["addresses"]) == V4_29


def test_ip_add_moves_inventory_ips_and_still_adds_new_ones(db: Database) -> None:
    inv.add_to_inventory(db, specs=["10.0.0.0/29"], actor=ACTOR)
    ids = {a: row["id"] for a, row in ip_table(db).items()}
    make_account(db, "ra")
    make_account(db, "rb")
    result = add_ips(
        db,
        account=get_account(db, username="ra"),
        specs=["10.0.0.2", "192.0.2.50", "10.0.0.1"],
        actor=ACTOR,
    )
    assert sorted(result.added) == ["10.0.0.1", "10.0.0.2", "192.0.2.50"]
    table = ip_table(db)
    assert {
        a: table[a]["username"] for a in ("10.0.0.1", "10.0.0.2", "192.0.2.50")
    } == dict.fromkeys(("10.0.0.1", "10.0.0.2", "192.0.2.50"), "ra")
    assert table["10.0.0.1"]["id"] == ids["10.0.0.1"]  # moved, not made anew
    assert free_inventory(db) == ["10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"]

    before = dump(db)
    with pytest.raises(AddressInUse):
        add_ips(
            db, account=get_account(db, username="rb"), specs=["10.0.0.3", "10.0.0.1"], actor=ACTOR
        )
    assert dump(db) == before
    again = add_ips(db, account=get_account(db, username="ra"), specs=["10.0.0.1"], actor=ACTOR)
    assert (again.added, again.already) == ([], ["10.0.0.1"])


# --------------------------------------------------------------------- releases


def _pool_with(db: Database, account: str, addresses: list[str]) -> None:
    table = ip_table(db)
    with db.engine.begin() as conn:
        acc_id = conn.scalar(select(accounts.c.id).where(accounts.c.username == account))
        pool_id = conn.execute(
            insert(pools).values(account_id=acc_id, name="p1", created_at=datetime.now(UTC))
        ).inserted_primary_key[0]
        for a in addresses:
            conn.execute(
                insert(pool_members).values(
                    pool_id=pool_id, ip_id=table[a]["id"], account_id=acc_id
                )
            )
            conn.execute(
                update(ip_addresses)
                .where(ip_addresses.c.id == table[a]["id"])
                .values(warmup_started_at=datetime.now(UTC))
            )


def _pool_members(db: Database) -> list[str]:
    stmt = select(ip_addresses.c.address).join(
        pool_members, pool_members.c.ip_id == ip_addresses.c.id
    )
    with db.engine.connect() as conn:
        return sorted(conn.scalars(stmt))


def test_release_returns_ips_to_the_inventory(db: Database) -> None:
    inv.add_to_inventory(db, specs=["10.0.0.0/29"], actor=ACTOR)
    make_account(db, "ra")
    make_account(db, "rb", ["192.0.2.1"])
    inv.take_ips(db, account=get_account(db, username="ra"), count=4, actor=ACTOR)
    ra_ips = on_account(db, "ra")
    held, pooled, plain = ra_ips[0], ra_ips[1], ra_ips[2]
    create_subuser(
        db, account=get_account(db, username="ra"), username="alice", email="a@x.test", actor=ACTOR
    )
    set_subuser_ips(
        db,
        account=get_account(db, username="ra"),
        username="alice",
        mode=SetMode.SPECIFY,
        ips=[held],
        actor=ACTOR,
    )
    _pool_with(db, "ra", [held, pooled])
    _quota_svc.set_quota(db, account=get_account(db, username="ra"), quota=4, actor=ACTOR)
    assert _quota_svc.remaining_ips(db, account=get_account(db, username="ra")) == 0

    before = dump(db)
    for addresses, kind in [
        ([plain, held], AddressTaken),  # held, without --force
        ([plain, "192.0.2.1"], AddressRejected),  # another account's
        ([plain, "10.0.0.6"], AddressRejected),  # still in the inventory
    ]:
        with pytest.raises(kind):
            _ips_svc.release_ips(
                db,
                account=get_account(db, username="ra"),
                addresses=addresses,
                force=False,
                actor=ACTOR,
            )
    with pytest.raises(AddressRejected):
        _ips_svc.release_ips(
            db,
            account=get_account(db, username="ra"),
            addresses=["192.0.2.1"],
            force=True,
            actor=ACTOR,
        )
    assert dump(db) == before

    _ips_svc.release_ips(
        db,
        account=get_account(db, username="ra"),
        addresses=[plain, pooled],
        force=False,
        actor=ACTOR,
    )
    table = ip_table(db)
    for a in (plain, pooled):
        assert (table[a]["username"], table[a]["assigned_at"]) == (None, None)
        assert table[a]["warmup_started_at"] is None
    assert _pool_members(db) == [held]
    assert _quota_svc.remaining_ips(db, account=get_account(db, username="ra")) == 2
    assert log_rows_of(db, "ip.release") == []

    _ips_svc.release_ips(
        db, account=get_account(db, username="ra"), addresses=[held], force=True, actor=ACTOR
    )
    assert ip_table(db)[held]["username"] is None
    assert _pool_members(db) == []
    assert subuser_ips(db, account=get_account(db, username="ra"), username="alice") == []
    [released] = log_rows_of(db, "ip.release")
    assert released["before"] == {"holdings": [[held, "alice"]]}
    returns = log_rows_of(db, "ip.return")
    assert [r["before"]["addresses"] for r in returns] == [[plain, pooled], [held]]
    assert on_account(db, "ra") == [ra_ips[3]]
    # Released IPs can be taken again, by anyone.
    assert sorted(
        inv.take_ips(db, account=get_account(db, username="rb"), count=5, actor=ACTOR)
    ) == sorted([held, pooled, plain, "10.0.0.5", "10.0.0.6"])


# ------------------------------------------------------------------- host names


def test_hostnames_are_rfc1123_lower_case_and_fully_qualified(db: Database) -> None:
    inv.add_to_inventory(db, specs=["10.0.0.0/30"], actor=ACTOR)
    make_account(db, "ra", ["10.0.0.1", "192.0.2.7"])
    assert set_hostname(db, address="10.0.0.1", hostname="MTA1.Example.COM.", actor=ACTOR) == (
        "mta1.example.com"
    )
    assert set_hostname(db, address="10.0.0.2", hostname="o-2.mx.example", actor=ACTOR) == (
        "o-2.mx.example"
    )  # an inventory IP can be named too
    assert list_ip_hostnames(db, account=get_account(db, username="ra"), state=IpState.ALL) == [
        ("10.0.0.1", "mta1.example.com"),
        ("192.0.2.7", None),
    ]
    before = dump(db)
    bad = [
        "mta1",
        "mta1.",
        "",
        "-mta.example.com",
        "mta-.example.com",
        "mta_1.example.com",
        "mta..example.com",
        "mta 1.example.com",
        "exämple.com",
        f"{'a' * 64}.example.com",
        ".".join(["abcdefghi"] * 26),  # 259 characters
    ]
    for name in bad:
        with pytest.raises(InvalidValue):
            set_hostname(db, address="10.0.0.1", hostname=name, actor=ACTOR)
    with pytest.raises(AddressRejected):
        set_hostname(db, address="10.0.0.9", hostname="mta9.example.com", actor=ACTOR)
    assert dump(db) == before
    longest = f"{'a' * 63}.example.com"
    assert set_hostname(db, address="10.0.0.2", hostname=longest, actor=ACTOR) == longest
    assert set_hostname(db, address="10.0.0.1", hostname=None, actor=ACTOR) is None
    assert ip_table(db)["10.0.0.1"]["hostname"] is None


# ------------------------------------------------------------------ the real CLI


def ok_json(result: Any) -> Any:
    """The parsed --json output of a command that must have succeeded."""
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    return json.loads(result.stdout)


def failed(result: Any, status: int) -> str:
    """The one-line error of a command that must have failed with ``status``."""
    assert result.returncode == status, (result.returncode, result.stderr)
    return cli_error(result)


def run_all(db_url: str, commands: dict[str, list[str]]) -> dict[str, Any]:
    """Run independent commands at once (each its own process); results by name."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(run_cli, db_url, *args) for name, args in commands.items()}
        return {name: f.result() for name, f in futures.items()}


def test_cli_commands(db_url: str, db: Database) -> None:
    """Every inventory command once, in two waves of independent commands."""
    inv.add_to_inventory(db, specs=["10.0.0.0/28"], actor=ACTOR)  # 10.0.0.1-14
    for name in ("rq", "ru", "rt"):
        make_account(db, name)
    make_account(db, "ra", ["10.0.0.1", "10.0.0.2", "10.0.0.3"])
    _quota_svc.set_quota(db, account=get_account(db, username="ru"), quota=7, actor=ACTOR)
    _quota_svc.set_quota(db, account=get_account(db, username="rt"), quota=1, actor=ACTOR)
    create_subuser(
        db, account=get_account(db, username="ra"), username="alice", email="a@x.test", actor=ACTOR
    )
    set_subuser_ips(
        db,
        account=get_account(db, username="ra"),
        username="alice",
        mode=SetMode.SPECIFY,
        ips=["10.0.0.1", "10.0.0.3"],
        actor=ACTOR,
    )
    set_hostname(db, address="10.0.0.2", hostname="old.example.com", actor=ACTOR)

    r = run_all(
        db_url,
        {
            "import": ["inventory", "add", "10.1.0.0/29", "2001:db8::/126", "--json"],
            "too-large": ["inventory", "add", "10.2.0.1", "2001:db8:1::/100"],
            "slice": ["inventory", "add", "2001:db8:2::/100", "--limit", "2", "--json"],
            "remove-held": ["inventory", "remove", "10.0.0.14", "10.0.0.2"],
            "remove": ["inventory", "remove", "10.0.0.14", "10.0.0.13", "--json"],
            "quota": ["account", "set-quota", "rq", "3", "--json"],
            "unlimited": ["account", "set-quota", "ru", "unlimited", "--json"],
            "over-quota": ["account", "take", "rt", "2"],
            "take": ["account", "take", "ru", "5", "--json"],
            "ip-add": ["ip", "add", "ra", "10.0.0.12", "192.0.2.77", "--json"],
            "hostname": ["ip", "set-hostname", "10.0.0.1", "MTA1.Example.NET.", "--json"],
            "clear": ["ip", "set-hostname", "10.0.0.2", "--clear", "--json"],
            "release-held": ["account", "release", "ra", "10.0.0.2", "10.0.0.3"],
        },
    )
    assert ok_json(r["import"]) == {"added": 9, "already_in_inventory": 0, "on_accounts": 0}
    message = failed(r["too-large"], 2)
    assert "--limit" in message
    assert "2001:db8:1::/100" in message
    assert ok_json(r["slice"]) == {"added": 2, "already_in_inventory": 0, "on_accounts": 0}
    assert "10.0.0.2" in failed(r["remove-held"], 4)
    assert sorted(ok_json(r["remove"])["removed"]) == ["10.0.0.13", "10.0.0.14"]
    assert ok_json(r["quota"]) == {"account": "rq", "ip_quota": 3}
    assert ok_json(r["unlimited"]) == {"account": "ru", "ip_quota": None}
    assert "1" in failed(r["over-quota"], 2)
    taken = ok_json(r["take"])
    assert (taken["account"], len(set(taken["taken"]))) == ("ru", 5)
    moved = ok_json(r["ip-add"])
    assert (moved["account"], sorted(moved["added"])) == ("ra", ["10.0.0.12", "192.0.2.77"])
    assert ok_json(r["hostname"]) == {"ip": "10.0.0.1", "hostname": "mta1.example.net"}
    assert ok_json(r["clear"]) == {"ip": "10.0.0.2", "hostname": None}
    assert "10.0.0.3" in failed(r["release-held"], 4)

    table = ip_table(db)
    assert "10.2.0.1" not in table
    assert on_account(db, "rt") == []
    assert set(taken["taken"]) == set(on_account(db, "ru"))
    assert {table[a]["username"] for a in ("10.0.0.2", "10.0.0.3", "10.0.0.12")} == {"ra"}

    r = run_all(
        db_url,
        {
            "list": ["inventory", "list", "--json"],
            "free": ["inventory", "list", "--free", "--json"],
            "ip-list": ["ip", "list", "ra", "--json"],
        },
    )
    everything = ok_json(r["list"])
    assert everything[0] == {"ip": "10.0.0.1", "account": "ra", "hostname": "mta1.example.net"}
    assert len(everything) == 14 - 2 + 9 + 2 + 1
    free = ok_json(r["free"])
    assert {e["account"] for e in free} == {None}
    assert [e["ip"] for e in free] == [e["ip"] for e in everything if e["account"] is None]
    assert ok_json(r["ip-list"]) == [
        {"ip": "10.0.0.1", "hostname": "mta1.example.net", "mta": None, "enabled": True},
        {"ip": "10.0.0.2", "hostname": None, "mta": None, "enabled": True},
        {"ip": "10.0.0.3", "hostname": None, "mta": None, "enabled": True},
        {"ip": "10.0.0.12", "hostname": None, "mta": None, "enabled": True},
        {"ip": "192.0.2.77", "hostname": None, "mta": None, "enabled": True},
    ]
    release = ["account", "release", "ra", "10.0.0.12", "10.0.0.3", "--force", "--json"]
    released = ok_json(run_cli(db_url, *release))
    assert (released["account"], sorted(released["released"])) == ("ra", ["10.0.0.12", "10.0.0.3"])
    assert on_account(db, "ra") == ["10.0.0.1", "10.0.0.2", "192.0.2.77"]
    assert subuser_ips(db, account=get_account(db, username="ra"), username="alice") == ["10.0.0.1"]
    assert "10.0.0.3" in free_inventory(db)


def test_a_take_checks_the_quota_as_it_is_when_the_write_runs(db: Database) -> None:
    """An ``Account`` resolved earlier may carry an old quota; the take reads it again
    inside its transaction, after the write path has locked the account."""
    inv.add_to_inventory(db, specs=["10.0.0.0/29"], actor=ACTOR)
    make_account(db, "ra", ip_quota=5)
    stale = get_account(db, username="ra")
    _quota_svc.set_quota(db, account=get_account(db, username="ra"), quota=1, actor=ACTOR)
    assert stale.ip_quota == 5
    with pytest.raises(NotEnoughIps, match="allows 1 more"):
        inv.take_ips(db, account=stale, count=2, actor=ACTOR)
    assert len(inv.take_ips(db, account=stale, count=1, actor=ACTOR)) == 1
    assert _quota_svc.remaining_ips(db, account=stale) == 0
