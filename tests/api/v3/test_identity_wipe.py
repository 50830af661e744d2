"""An IP that leaves an account takes nothing of it along: one address moves through three
tenants (A -> inventory -> B -> inventory -> C) and each sees nothing of the one before,
over v2, v3 and the services; the change log says when each thing ended, and replays."""

from __future__ import annotations

from collections.abc import Iterator

import anyio.from_thread
import pytest

from ipfleet.api.app import IpfleetApp, create_app
from ipfleet.config import Settings
from ipfleet.domain.records import Account, Actor
from ipfleet.services import inventory, ips, pools, subusers, warmup
from ipfleet.services.accounts import create_account
from ipfleet.services.authentication import Caller
from ipfleet.services.ip_details import get_ip_view
from ipfleet.services.log_check import verify_log
from ipfleet.services.subusers import SetMode
from ipfleet.store.uow import Database
from tests.support.inprocess import Client

OPERATOR = Actor(name="tests:operator", request_id="identity")
IP = "203.0.113.7"


@pytest.fixture
def client(db: Database, db_url: str, portal: anyio.from_thread.BlockingPortal) -> Iterator[Client]:
    app: IpfleetApp = create_app(Settings(database_url=db_url))
    c = Client(portal, app)
    yield c
    c.close()


def _tenant(db: Database, name: str) -> tuple[Account, str]:
    return create_account(db, username=name, outbound_cluster=None, ip_quota=1, actor=OPERATOR)


def _take(client: Client, key: str) -> None:
    bearer = {"Authorization": f"Bearer {key}"}
    r = client.request("POST", "/v3/ips", headers=bearer, json={"count": 1})
    assert (r.status_code, [i["ip"] for i in r.json()["ips"]]) == (201, [IP])


def _make_it_yours(db: Database, account: Account) -> None:
    """Give the tenant's IP every identity it can have (warmup, names, pool, a holder)."""
    warmup.start_warmup(db, account=account, address=IP, actor=OPERATOR)
    ips.set_hostname(db, address=IP, hostname=f"mta.{account.username}.test", actor=OPERATOR)
    ips.set_whitelabeled(db, address=IP, on=True, actor=OPERATOR)
    pools.create_pool(db, account=account, name=f"{account.username}-pool", actor=OPERATOR)
    pools.add_pool_ip(
        db, account=account, name=f"{account.username}-pool", address=IP, actor=OPERATOR
    )
    sub = f"{account.username}-sender"
    subusers.create_subuser(db, account=account, username=sub, email="", actor=OPERATOR)
    subusers.set_subuser_ips(
        db, account=account, username=sub, mode=SetMode.SPECIFY, ips=[IP], actor=OPERATOR
    )
    view = get_ip_view(db, caller=Caller(account), address=IP)
    assert (view.rdns, view.whitelabeled, view.warmup, view.pools, view.subusers) == (
        f"mta.{account.username}.test",
        True,
        True,
        [f"{account.username}-pool"],
        [sub],
    )


def _sees_a_blank_ip(db: Database, client: Client, account: Account, key: str) -> None:
    """What a new tenant sees of the IP it just took: nothing of anyone before it."""
    bearer = {"Authorization": f"Bearer {key}"}
    one = client.request("GET", f"/v3/ips/{IP}", headers=bearer).json()
    assert (one.get("rdns"), one["whitelabeled"], one["warmup"], one["pools"], one["subusers"]) == (
        None,
        False,
        False,
        [],
        [],
    )
    assert client.request("GET", "/v3/ips/pools", headers=bearer).json() == []
    assert client.request("GET", "/v3/ips/warmup", headers=bearer).json() == []
    listed = client.request("GET", "/v3/ips", headers=bearer).json()
    assert [(i["ip"], i.get("rdns"), i["pools"], i["whitelabeled"]) for i in listed] == [
        (IP, None, [], False)
    ]
    v2 = {"api_user": account.username, "api_key": key}
    r = client.request("GET", "/apiv2/reseller.ip.json", params={**v2, "task": "usage"})
    assert r.json() == []
    r = client.request("GET", "/apiv2/customer.ip.json", params={**v2, "list": "taken"})
    assert r.json() == []
    r = client.request("GET", "/apiv2/customer.ip.json", params={**v2, "list": "free"})
    assert r.json() == [{"ip": IP}]
    view = get_ip_view(db, caller=Caller(account), address=IP)
    assert (view.rdns, view.whitelabeled, view.warmup, view.pools, view.subusers) == (
        None,
        False,
        False,
        [],
        [],
    )


def _returned(db: Database, account: Account) -> None:
    ips.release_ips(db, account=account, addresses=[IP], force=True, actor=OPERATOR)
    entry = next(e for e in inventory.list_inventory(db, free_only=True) if e.address == IP)
    assert (entry.account, entry.hostname) == (None, None)


def test_an_ip_moves_through_three_tenants_and_each_sees_nothing_of_the_last(
    db: Database, client: Client
) -> None:
    inventory.add_to_inventory(db, specs=[IP], actor=OPERATOR)
    (a, key_a), (b, key_b), (c, key_c) = (_tenant(db, n) for n in ("ten-a", "ten-b", "ten-c"))

    _take(client, key_a)
    _make_it_yours(db, a)
    _returned(db, a)
    _take(client, key_b)
    _sees_a_blank_ip(db, client, b, key_b)
    _make_it_yours(db, b)
    _returned(db, b)
    _take(client, key_c)
    _sees_a_blank_ip(db, client, c, key_c)

    verdict = verify_log(db)
    assert verdict.consistent, verdict.difference


def test_leaving_an_account_logs_each_thing_that_ended(db: Database, client: Client) -> None:
    """Pool memberships, host name, whitelabel flag and warmup each end with a row of the
    same request as the return (the timeline can tell when each stopped)."""
    inventory.add_to_inventory(db, specs=[IP], actor=OPERATOR)
    a, key_a = _tenant(db, "ten-a")
    _take(client, key_a)
    _make_it_yours(db, a)
    returning = Actor(name="tests:operator", request_id="the-return")
    ips.release_ips(db, account=a, addresses=[IP], force=True, actor=returning)
    rows = db.read(lambda uow: uow.log.entries(a.id))
    mine = [(r["action"], r["subject"]) for r in rows if r["request_id"] == "the-return"]
    assert mine == [
        ("ip.release", "account:ten-a"),
        ("pool.remove_ip", "pool:ten-a-pool"),
        ("ip.clear_identity", f"ip:{IP}"),
        ("ip.return", "account:ten-a"),
    ]
    cleared = next(r for r in rows if r["action"] == "ip.clear_identity")
    assert cleared["before"]["hostname"] == "mta.ten-a.test"
    assert cleared["before"]["whitelabeled"] is True
    assert cleared["before"]["warmup_started_at"] is not None


def test_removing_an_ip_ends_its_identity_too(db: Database, client: Client) -> None:
    inventory.add_to_inventory(db, specs=[IP], actor=OPERATOR)
    a, key_a = _tenant(db, "ten-a")
    _take(client, key_a)
    _make_it_yours(db, a)
    ips.remove_ips(db, account=a, addresses=[IP], release=True, actor=OPERATOR)
    actions = [r["action"] for r in db.read(lambda uow: uow.log.entries(a.id))][-4:]
    assert actions == ["ip.release", "pool.remove_ip", "ip.clear_identity", "ip.remove"]
    assert pools.pool_members(db, account=a, name="ten-a-pool") == []
    assert verify_log(db).consistent
