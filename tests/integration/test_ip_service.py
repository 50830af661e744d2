"""services/ips on both backends: add (all or nothing, idempotent), remove, list by state."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ipfleet.domain.errors import (
    AccountNotFound,
    AddressInUse,
    AddressRejected,
    AddressTaken,
    RangeTooLarge,
)
from ipfleet.domain.states import IpState
from ipfleet.services.accounts import get_account
from ipfleet.services.ips import add_ips, list_ips, remove_ips
from ipfleet.services.subusers import (
    SetMode,
    create_subuser,
    set_subuser_active,
    set_subuser_ips,
    subuser_ips,
)
from ipfleet.store.uow import Database
from tests.support.db import ACTOR, Made, dump, insert_inventory_ip, log_rows, version_of

MakeAccount = Callable[..., Made]


def ips_of(db: Database, name: str, state: IpState = IpState.ALL) -> list[str]:
    return list_ips(db, account=get_account(db, username=name), state=state)


def test_add_expands_ranges_and_lists_in_numeric_order(
    db: Database, make_account: MakeAccount
) -> None:
    made = make_account("acme")
    result = add_ips(
        db,
        account=get_account(db, username="acme"),
        specs=["2001:DB8::/126", "192.0.2.10", "192.0.2.8/31", "192.0.2.9"],
        actor=ACTOR,
    )
    expected = [
        "192.0.2.8",
        "192.0.2.9",
        "192.0.2.10",
        "2001:db8::1",
        "2001:db8::2",
        "2001:db8::3",
    ]
    assert result.added == expected
    assert result.already == []
    assert ips_of(db, "acme") == expected
    assert list_ips(db, account=made.account, state=IpState.ALL) == expected


def test_add_is_idempotent_for_addresses_already_on_the_account(
    db: Database, make_account: MakeAccount
) -> None:
    make_account("acme")
    add_ips(
        db, account=get_account(db, username="acme"), specs=["192.0.2.1", "192.0.2.2"], actor=ACTOR
    )
    logged = len(log_rows(db))
    again = add_ips(
        db, account=get_account(db, username="acme"), specs=["192.0.2.2", "192.0.2.1"], actor=ACTOR
    )
    assert again.added == []
    assert again.already == ["192.0.2.1", "192.0.2.2"]
    assert len(log_rows(db)) == logged  # nothing changed, nothing logged
    more = add_ips(
        db, account=get_account(db, username="acme"), specs=["192.0.2.0/30"], actor=ACTOR
    )
    assert more.added == []
    assert more.already == ["192.0.2.1", "192.0.2.2"]
    more = add_ips(
        db, account=get_account(db, username="acme"), specs=["192.0.2.0/29"], actor=ACTOR
    )
    assert more.added == [f"192.0.2.{n}" for n in range(3, 7)]
    assert ips_of(db, "acme") == [f"192.0.2.{n}" for n in range(1, 7)]


def test_add_is_all_or_nothing_when_one_address_is_on_another_account(
    db: Database, make_account: MakeAccount
) -> None:
    make_account("acme")
    make_account("other")
    add_ips(
        db,
        account=get_account(db, username="other"),
        specs=["192.0.2.7", "2001:db8::7"],
        actor=ACTOR,
    )
    before = dump(db)
    with pytest.raises(AddressInUse) as info:
        add_ips(
            db,
            account=get_account(db, username="acme"),
            specs=["192.0.2.0/29", "198.51.100.1", "2001:db8::7"],
            actor=ACTOR,
        )
    # 192.0.2.7 is the broadcast address of the /29, so only the IPv6 one clashes
    assert info.value.details == ("IP address is already on another account: 2001:db8::7",)
    assert dump(db) == before
    assert ips_of(db, "acme") == []
    assert ips_of(db, "other") == ["192.0.2.7", "2001:db8::7"]


def test_add_names_every_address_on_another_account(
    db: Database, make_account: MakeAccount
) -> None:
    make_account("acme")
    make_account("other")
    add_ips(
        db, account=get_account(db, username="other"), specs=["192.0.2.3", "192.0.2.5"], actor=ACTOR
    )
    with pytest.raises(AddressInUse) as info:
        add_ips(
            db,
            account=get_account(db, username="acme"),
            specs=["192.0.2.5", "192.0.2.0/29"],
            actor=ACTOR,
        )
    assert info.value.details == (
        "IP address is already on another account: 192.0.2.3",
        "IP address is already on another account: 192.0.2.5",
    )
    assert "192.0.2.3" in info.value.message
    assert "192.0.2.5" in info.value.message


def test_add_refuses_malformed_specs_before_touching_the_database(
    db: Database, make_account: MakeAccount
) -> None:
    make_account("acme")
    before = dump(db)
    with pytest.raises(AddressRejected) as info:
        add_ips(
            db,
            account=get_account(db, username="acme"),
            specs=["192.0.2.1", "bogus", "192.0.2.1/24"],
            actor=ACTOR,
        )
    assert len(info.value.details) == 2
    with pytest.raises(RangeTooLarge):
        add_ips(db, account=get_account(db, username="acme"), specs=["10.0.0.0/8"], actor=ACTOR)
    with pytest.raises(AccountNotFound):
        add_ips(db, account=get_account(db, username="ghost"), specs=["192.0.2.1"], actor=ACTOR)
    assert dump(db) == before


def test_add_with_a_limit_takes_the_start_of_a_large_range(
    db: Database, make_account: MakeAccount
) -> None:
    make_account("acme")
    result = add_ips(
        db, account=get_account(db, username="acme"), specs=["10.0.0.0/8"], actor=ACTOR, limit=3
    )
    assert result.added == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]


def test_add_takes_addresses_from_the_inventory(db: Database, make_account: MakeAccount) -> None:
    make_account("acme")
    inventory_id = insert_inventory_ip(db, "192.0.2.50")
    result = add_ips(
        db,
        account=get_account(db, username="acme"),
        specs=["192.0.2.50", "192.0.2.51"],
        actor=ACTOR,
    )
    assert result.added == ["192.0.2.50", "192.0.2.51"]
    assert ips_of(db, "acme") == ["192.0.2.50", "192.0.2.51"]
    ip_rows = {r[1]: r for r in dump(db)["ip_addresses"]}
    assert ip_rows["192.0.2.50"][0] == inventory_id  # moved, not copied
    assert len(ip_rows) == 2


def test_add_logs_what_it_added_and_bumps_the_version(
    db: Database, make_account: MakeAccount
) -> None:
    made = make_account("acme")
    v0 = version_of(db, "acme")
    add_ips(
        db, account=get_account(db, username="acme"), specs=["192.0.2.2", "192.0.2.1"], actor=ACTOR
    )
    add_ips(
        db, account=get_account(db, username="acme"), specs=["192.0.2.1", "192.0.2.3"], actor=ACTOR
    )
    assert version_of(db, "acme") == v0 + 2
    rows = [r for r in log_rows(db, made.account.id) if r["action"] == "ip.add"]
    assert [r["after"] for r in rows] == [
        {"addresses": ["192.0.2.1", "192.0.2.2"]},
        {"addresses": ["192.0.2.3"]},
    ]
    assert all(r["subject"] == "account:acme" for r in rows)


def test_failed_add_does_not_bump_the_version(db: Database, make_account: MakeAccount) -> None:
    make_account("acme")
    make_account("other")
    add_ips(db, account=get_account(db, username="other"), specs=["192.0.2.1"], actor=ACTOR)
    v0 = version_of(db, "acme")
    with pytest.raises(AddressInUse):
        add_ips(db, account=get_account(db, username="acme"), specs=["192.0.2.1"], actor=ACTOR)
    assert version_of(db, "acme") == v0


def remove(db: Database, *addresses: str, release: bool = False) -> list[str]:
    return remove_ips(
        db,
        account=get_account(db, username="acme"),
        addresses=addresses,
        release=release,
        actor=ACTOR,
    )


def setup_holdings(db: Database, make_account: MakeAccount) -> None:
    make_account("acme")
    add_ips(db, account=get_account(db, username="acme"), specs=["192.0.2.0/29"], actor=ACTOR)
    for name in ("sub-a", "sub-b"):
        create_subuser(
            db, account=get_account(db, username="acme"), username=name, email="", actor=ACTOR
        )
    set_subuser_ips(
        db,
        account=get_account(db, username="acme"),
        username="sub-a",
        mode=SetMode.SPECIFY,
        ips=["192.0.2.1", "192.0.2.2"],
        actor=ACTOR,
    )
    set_subuser_ips(
        db,
        account=get_account(db, username="acme"),
        username="sub-b",
        mode=SetMode.SPECIFY,
        ips=["192.0.2.2", "192.0.2.3"],
        actor=ACTOR,
    )


def test_list_by_state(db: Database, make_account: MakeAccount) -> None:
    setup_holdings(db, make_account)
    set_subuser_active(
        db, account=get_account(db, username="acme"), username="sub-b", active=False, actor=ACTOR
    )
    assert ips_of(db, "acme", IpState.TAKEN) == ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
    assert ips_of(db, "acme", IpState.FREE) == ["192.0.2.4", "192.0.2.5", "192.0.2.6"]
    assert ips_of(db, "acme", IpState.AVAILABLE) == [
        "192.0.2.3",
        "192.0.2.4",
        "192.0.2.5",
        "192.0.2.6",
    ]
    with pytest.raises(AccountNotFound):
        ips_of(db, "ghost")


def test_remove_refuses_held_addresses_unless_released(
    db: Database, make_account: MakeAccount
) -> None:
    setup_holdings(db, make_account)
    before = dump(db)
    with pytest.raises(AddressTaken) as info:
        remove(db, "192.0.2.6", "192.0.2.2", "192.0.2.1")
    assert info.value.details == (
        "IP address is held by subusers: 192.0.2.1",
        "IP address is held by subusers: 192.0.2.2",
    )
    assert dump(db) == before

    removed = remove(db, "192.0.2.6", "192.0.2.2", "192.0.2.1", release=True)
    assert removed == ["192.0.2.1", "192.0.2.2", "192.0.2.6"]
    assert ips_of(db, "acme") == ["192.0.2.3", "192.0.2.4", "192.0.2.5"]
    assert subuser_ips(db, account=get_account(db, username="acme"), username="sub-a") == []
    assert subuser_ips(db, account=get_account(db, username="acme"), username="sub-b") == [
        "192.0.2.3"
    ]
    actions = [r["action"] for r in log_rows(db)][-2:]
    assert actions == ["ip.release", "ip.remove"]
    released, removed_row = log_rows(db)[-2:]
    assert released["before"] == {
        "holdings": [["192.0.2.1", "sub-a"], ["192.0.2.2", "sub-a"], ["192.0.2.2", "sub-b"]]
    }
    assert removed_row["before"] == {"addresses": ["192.0.2.1", "192.0.2.2", "192.0.2.6"]}


def test_remove_of_free_addresses_needs_no_release(db: Database, make_account: MakeAccount) -> None:
    setup_holdings(db, make_account)
    v0 = version_of(db, "acme")
    assert remove(db, "192.0.2.5", "192.0.2.5") == ["192.0.2.5"]
    assert "192.0.2.5" not in ips_of(db, "acme")
    assert version_of(db, "acme") == v0 + 1
    assert log_rows(db)[-1]["action"] == "ip.remove"
    # the address is gone from ipfleet: another account may now add it
    make_account("other")
    assert add_ips(
        db, account=get_account(db, username="other"), specs=["192.0.2.5"], actor=ACTOR
    ).added == ["192.0.2.5"]


def test_remove_is_all_or_nothing_naming_every_bad_address(
    db: Database, make_account: MakeAccount
) -> None:
    setup_holdings(db, make_account)
    make_account("other")
    add_ips(db, account=get_account(db, username="other"), specs=["198.51.100.1"], actor=ACTOR)
    before = dump(db)
    with pytest.raises(AddressRejected) as info:
        remove(db, "192.0.2.5", "198.51.100.1", "203.0.113.1", release=True)
    assert info.value.details == (
        "IP address is not on your account: 198.51.100.1",
        "IP address is not on your account: 203.0.113.1",
    )
    with pytest.raises(AddressRejected) as info:
        remove(db, "192.0.2.5", "x", "1.2.3", release=True)
    assert info.value.details == ("Invalid IP address: x", "Invalid IP address: 1.2.3")
    assert dump(db) == before


def test_remove_accepts_any_spelling_of_an_address(db: Database, make_account: MakeAccount) -> None:
    make_account("acme")
    add_ips(
        db,
        account=get_account(db, username="acme"),
        specs=["2001:db8::1", "2001:db8::2"],
        actor=ACTOR,
    )
    removed = remove(db, "2001:DB8:0::1", "2001:db8::1")
    assert removed == ["2001:db8::1"]
    assert ips_of(db, "acme") == ["2001:db8::2"]
    assert log_rows(db)[-1]["before"] == {"addresses": ["2001:db8::1"]}
