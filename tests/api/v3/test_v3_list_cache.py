"""The cached v3 lists (api/v3/list_cache.py): the same answer as without the cache, a
write shows on the very next read, a refused key counted once, On-Behalf-Of not cached."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from ipfleet.services.accounts import get_account
from ipfleet.services.subusers import SetMode, set_subuser_ips
from ipfleet.store.uow import Database
from tests.support.inprocess import Client
from tests.support.metrics import sample
from tests.support.seed import SEEDER
from tests.support.v3_world import ACME, World

LISTS = ["/v3/ips", "/v3/ips?limit=2&offset=1", "/v3/ips?ip=192.0.2", "/v3/ips/assigned",
         "/v3/subusers", "/v3/subusers?limit=1"]  # fmt: skip


def answer(r: httpx.Response) -> tuple[int, dict[str, str], bytes]:
    headers = {k: v for k, v in r.headers.items() if k != "x-request-id"}
    return r.status_code, headers, r.content


@pytest.fixture
def uncached(world: World, make_client: Callable[..., Client]) -> Client:
    return make_client(max_body_bytes=4096, max_ips_per_request=50, v3_cache_mb=0)


def test_a_cached_answer_is_the_answer(client: Client, uncached: Client, world: World) -> None:
    for path in LISTS:
        first = client.get(path, headers=world.bearer())
        again = client.get(path, headers=world.bearer())
        assert first.status_code == 200, (path, first.text)
        assert answer(again) == answer(first) == answer(uncached.get(path, headers=world.bearer()))
        assert again.headers["x-request-id"] != first.headers["x-request-id"]


def test_a_write_shows_on_the_next_read(
    client: Client, uncached: Client, world: World, db: Database
) -> None:
    before = {path: client.get(path, headers=world.bearer()).content for path in LISTS}
    acme = get_account(db, username=ACME)
    set_subuser_ips(
        db, account=acme, username="alice", mode=SetMode.SPECIFY, ips=["192.0.2.3"], actor=SEEDER
    )  # another process's write: only the data version tells the worker
    for path in LISTS:
        after = client.get(path, headers=world.bearer())
        assert answer(after) == answer(uncached.get(path, headers=world.bearer())), path
    assert client.get("/v3/ips", headers=world.bearer()).content != before["/v3/ips"]


def test_a_refused_key_is_answered_and_counted_once(client: Client, uncached: Client) -> None:
    bad = {"Authorization": "Bearer SG.nope.nope"}
    metrics = client.get("/metrics").text
    for _ in range(2):
        refused = client.get("/v3/ips", headers=bad)
        assert answer(refused) == answer(uncached.get("/v3/ips", headers=bad))
        assert refused.status_code == 401
    counted = sample(client.get("/metrics").text, "ipfleet_auth_failures_total", api="v3")
    # two here, two through the uncached app (one process: one set of counters)
    assert counted - sample(metrics, "ipfleet_auth_failures_total", api="v3") == 4


def test_on_behalf_of_is_never_served_from_the_cache(client: Client, world: World) -> None:
    everything = client.get("/v3/ips", headers=world.bearer()).json()
    alice = client.get("/v3/ips", headers=world.bearer(on_behalf_of="alice"))
    assert alice.status_code == 200
    assert [i["ip"] for i in alice.json()] == ["192.0.2.1", "192.0.2.2"]
    assert len(everything) > 2
    parent_only = client.get("/v3/subusers", headers=world.bearer(on_behalf_of="alice"))
    assert parent_only.status_code == 403
