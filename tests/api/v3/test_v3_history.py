"""/v3/ips/{ip}/history in process: each tenant sees only its own tenancy of an IP."""

from __future__ import annotations

from datetime import UTC, datetime

from ipfleet.services.accounts import get_account
from ipfleet.services.ips import add_ips, release_ips
from ipfleet.services.timeline import ip_history
from ipfleet.store.uow import Database
from tests.support.inprocess import Client
from tests.support.seed import SEEDER
from tests.support.v3_world import ACME, OTHER, World

MOVED = "192.0.2.10"


def _move_to_other(db: Database) -> tuple[str, str]:
    """Move MOVED from acme to other; the moments just before and just after."""
    before = datetime.now(UTC).isoformat()
    release_ips(
        db, account=get_account(db, username=ACME), addresses=[MOVED], force=True, actor=SEEDER
    )
    add_ips(db, account=get_account(db, username=OTHER), specs=[MOVED], actor=SEEDER)
    return before, datetime.now(UTC).isoformat()


def test_each_tenant_sees_only_its_own_periods(client: Client, world: World, db: Database) -> None:
    _move_to_other(db)
    url = f"/v3/ips/{MOVED}/history"

    acme = client.request("GET", url, headers=world.bearer(ACME))
    assert acme.status_code == 200, acme.text
    acme_periods = acme.json()["periods"]
    assert {p["kind"] for p in acme_periods} >= {"account"}
    assert all(p["ended_at"] is not None for p in acme_periods)  # all over for acme

    other = client.request("GET", url, headers=world.bearer(OTHER))
    assert other.status_code == 200, other.text
    assert [(p["kind"], p["ended_at"]) for p in other.json()["periods"]] == [("account", None)]
    assert ACME not in other.text  # not a name of the previous tenant's
    for subuser in {p.get("subuser") for p in acme_periods} - {None}:
        assert subuser not in other.text

    # The operator sees both tenancies.
    owners = [p.account for p in ip_history(db, address=MOVED) if p.kind == "account"]
    assert owners == [ACME, OTHER]


def test_the_at_form_answers_only_within_the_callers_tenancy(
    client: Client, world: World, db: Database
) -> None:
    before, after = _move_to_other(db)
    url = f"/v3/ips/{MOVED}/history"
    then_for_acme = client.request("GET", url, params={"at": before}, headers=world.bearer(ACME))
    assert then_for_acme.json()["on_account"] is True
    then_for_other = client.request("GET", url, params={"at": before}, headers=world.bearer(OTHER))
    assert then_for_other.status_code == 200
    assert then_for_other.json() == {"ip": MOVED, "at": before, "on_account": False, "subusers": []}
    now_for_acme = client.request("GET", url, params={"at": after}, headers=world.bearer(ACME))
    assert now_for_acme.json()["on_account"] is False
    assert now_for_acme.json()["subusers"] == []


def test_never_on_the_account_is_not_found_and_bad_times_are_400(
    client: Client, world: World
) -> None:
    never = client.request("GET", "/v3/ips/203.0.113.1/history", headers=world.bearer(ACME))
    assert never.status_code == 404
    assert never.json()["errors"][0]["message"] == "IP address not found: 203.0.113.1"
    bad = client.request(
        "GET", f"/v3/ips/{MOVED}/history", params={"at": "noon"}, headers=world.bearer(ACME)
    )
    assert bad.status_code == 400
    assert "Not a time" in bad.json()["errors"][0]["message"]
    anonymous = client.request("GET", f"/v3/ips/{MOVED}/history")
    assert anonymous.status_code == 401
