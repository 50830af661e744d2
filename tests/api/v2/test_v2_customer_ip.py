"""customer.ip (docs/v2.md §4): the account's IPs by state, in every request shape."""

from __future__ import annotations

from urllib.parse import urlencode

from ipfleet.services.accounts import get_account
from ipfleet.services.subusers import SetMode, set_subuser_active, set_subuser_ips
from tests.support.inprocess import Client
from tests.support.v2_bodies import (
    check,
    empty_forms,
    ips_json,
    ips_of,
    ips_xml_lines,
    list_error_json,
    list_error_xml,
    object_error_json,
    object_error_xml,
    xml_doc,
)
from tests.support.v2_world import (
    A_ALL,
    A_AVAILABLE,
    A_FREE,
    A_SUBUSERS,
    A_TAKEN,
    ODD_NAME,
    SEEDER,
    A,
    C,
    World,
)

URL = "/apiv2/customer.ip"
STATES = {"all": A_ALL, "free": A_FREE, "taken": A_TAKEN, "available": A_AVAILABLE}
FORM = {"content-type": "application/x-www-form-urlencoded"}


def test_seed_makes_numeric_order_differ_from_text_order() -> None:
    # Guards the data the ordering tests rely on.
    assert sorted(A_ALL) != A_ALL
    assert A_ALL.index("192.0.2.9") < A_ALL.index("192.0.2.10")
    assert A_ALL.index("192.0.2.100") < A_ALL.index("100::1")  # "100::1" < "192..." as text
    assert A_ALL.index("2001:db8::a") < A_ALL.index("2001:db8::10")


def test_each_state_byte_exact(client: Client, world: World) -> None:
    """Every state, numeric order (IPv4 first, .9 before .10), in JSON and XML."""
    for state, ips in STATES.items():
        resp = client.get(f"{URL}.json", params={**world.auth(), "list": state})
        check(resp, ips_json(ips).encode())
        resp = client.post(f"{URL}.xml", data={**world.auth(), "list": state})
        check(resp, xml_doc(*ips_xml_lines(ips)))


def test_spec_example_bodies(client: Client, world: World) -> None:
    """Exactly the example of docs/v2.md §4: 192.0.2.10 and 192.0.2.11, in both formats."""
    for name in A_SUBUSERS:
        held = ["192.0.2.11"] if name in ("bob", ODD_NAME) else ["192.0.2.10"]
        set_subuser_ips(
            world.db,
            account=get_account(world.db, username=A),
            username=name,
            mode=SetMode.SPECIFY,
            ips=held,
            actor=SEEDER,
        )
    resp = client.get(f"{URL}.json", params={**world.auth(), "list": "taken"})
    check(resp, b'[{"ip":"192.0.2.10"},{"ip":"192.0.2.11"}]')
    body = urlencode({**world.auth(), "list": "taken"})
    resp = client.post(f"{URL}.xml", content=body, headers=FORM)
    check(resp, xml_doc("<ips>", "   <ip>192.0.2.10</ip>", "   <ip>192.0.2.11</ip>", "</ips>"))


def _states(client: Client, world: World) -> dict[str, list[str]]:
    return {
        s: ips_of(client.get(f"{URL}.json", params={**world.auth(), "list": s})) for s in STATES
    }


def test_states_follow_holdings_and_activity(client: Client, world: World) -> None:
    got = _states(client, world)
    everything, taken, free, avail = (set(got[s]) for s in ("all", "taken", "free", "available"))
    assert taken | free == everything
    assert not taken & free
    assert free <= avail
    # 192.0.2.9 and 2001:db8::9 are held only by the deactivated carol.
    assert taken & avail == {"192.0.2.9", "2001:db8::9"}
    # 192.0.2.11 is held by carol (deactivated) and bob (active): taken, not available.
    assert "192.0.2.11" in taken - avail
    for ips in got.values():
        assert len(ips) == len(set(ips))
    # Deactivating bob (outside the API) makes his addresses available at the next call.
    set_subuser_active(
        world.db,
        account=get_account(world.db, username=A),
        username="bob",
        active=False,
        actor=SEEDER,
    )
    later = _states(client, world)
    assert later["available"] == ["192.0.2.9", "192.0.2.11", *A_AVAILABLE[1:]]
    assert later["taken"] == A_TAKEN
    # ... and reactivating carol takes hers out of it.
    set_subuser_active(
        world.db,
        account=get_account(world.db, username=A),
        username="carol",
        active=True,
        actor=SEEDER,
    )
    assert ips_of(client.get(f"{URL}.xml", params={**world.auth(), "list": "available"})) == [
        "192.0.2.100",
        "100::1",
        "2001:db8::10",
    ]


def test_empty_account_lists_nothing(client: Client, world: World) -> None:
    for state in STATES:
        check(client.get(f"{URL}.json", params={**world.auth(C), "list": state}), b"[]")
        resp = client.get(f"{URL}.xml", params={**world.auth(C), "list": state})
        check(resp, empty_forms(xml_doc("<ips/>")))
    # The list depends on who asks: A's key, same request, lists A's IPs.
    assert ips_of(client.get(f"{URL}.json", params={**world.auth(A), "list": "all"})) == A_ALL


def test_request_shapes(client: Client, world: World) -> None:
    """GET or POST; query, urlencoded or multipart body, or split between them."""
    params = {**world.auth(), "list": "available"}
    for fmt in ("json", "xml"):
        by_get = client.get(f"{URL}.{fmt}", params=params)
        by_post_body = client.post(f"{URL}.{fmt}", data=params)
        by_post_query = client.post(f"{URL}.{fmt}", params=params)
        assert by_get.status_code == by_post_body.status_code == by_post_query.status_code == 200
        assert by_get.content == by_post_body.content == by_post_query.content
        assert ips_of(by_get) == A_AVAILABLE
    fields = [(k, (None, v)) for k, v in {**world.auth(), "list": "free"}.items()]
    resp = client.post(f"{URL}.json", files=fields)
    assert resp.request.headers["content-type"].startswith("multipart/form-data; boundary=")
    check(resp, ips_json(A_FREE).encode())
    resp = client.post(f"{URL}.json", params=world.auth(), data={"list": "taken"})
    check(resp, ips_json(A_TAKEN).encode())
    resp = client.post(f"{URL}.json", params={"list": "taken"}, data=world.auth())
    check(resp, ips_json(A_TAKEN).encode())
    resp = client.post(f"{URL}.json", params={"list": "free"}, files=fields[:2])
    check(resp, ips_json(A_FREE).encode())


def test_parameter_merging(client: Client, world: World) -> None:
    """A body value replaces the query's; a repeated scalar's last value wins."""
    for query, body, expected in [
        ("free", "taken", A_TAKEN),
        ("bogus", "all", A_ALL),
        ("", "available", A_AVAILABLE),
    ]:
        params = {**world.auth(), "list": query}
        check(
            client.post(f"{URL}.json", params=params, data={"list": body}),
            ips_json(expected).encode(),
        )
    resp = client.post(f"{URL}.json", params={**world.auth(), "list": "all"}, data={"list": "x"})
    check(resp, object_error_json(400, "Invalid list parameter"))
    auth = urlencode(world.auth())
    check(client.get(f"{URL}.json?{auth}&list=all&list=free"), ips_json(A_FREE).encode())
    check(client.get(f"{URL}.json?{auth}&list=bogus&list=taken"), ips_json(A_TAKEN).encode())
    check(
        client.get(f"{URL}.json?{auth}&list=free&list=bogus"),
        object_error_json(400, "Invalid list parameter"),
    )
    resp = client.post(f"{URL}.json", content=f"{auth}&list=free&list=all", headers=FORM)
    check(resp, ips_json(A_ALL).encode())
    # Unknown extra parameters, even ones other calls use, are ignored.
    extra = {"user": "alice", "task": "append", "set": "bogus", "ip[]": "junk", "format": "xml"}
    resp = client.get(f"{URL}.json", params={**world.auth(), "list": "free", **extra})
    check(resp, ips_json(A_FREE).encode())


def test_bad_list_parameter(client: Client, world: World) -> None:
    for value in ["ALL", "Free", " all", "all ", "taken\n", "specify", "0", "list"]:
        resp = client.get(f"{URL}.json", params={**world.auth(), "list": value})
        check(resp, object_error_json(400, "Invalid list parameter"))
        resp = client.get(f"{URL}.xml", params={**world.auth(), "list": value})
        check(resp, object_error_xml("Invalid list parameter"))
    resp = client.get(f"{URL}.json", params=world.auth())
    check(resp, list_error_json("Missing required parameter: list"))
    resp = client.post(f"{URL}.xml", data=world.auth())
    check(resp, list_error_xml("Missing required parameter: list"))
