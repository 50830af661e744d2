"""customer.sendip task=append (docs/v2.md §5): replace a subuser's set, all or nothing."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import httpx

from ipfleet.services.accounts import get_account
from ipfleet.services.ips import add_ips
from ipfleet.services.subusers import subuser_ips
from tests.support.inprocess import Client
from tests.support.v2_bodies import (
    SUCCESS_JSON,
    SUCCESS_XML,
    check,
    ips_of,
    list_error,
    list_error_json,
    list_error_xml,
    object_error_json,
    object_error_xml,
)
from tests.support.v2_world import A_ALL, A_AVAILABLE, A_FREE, A_TAKEN, SEEDER, A, B, World

URL = "/apiv2/customer.sendip"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def append(
    client: Client, world: World, user: str, set_: str, *ips: str, fmt: str = "json"
) -> httpx.Response:
    """POST task=append with ``ip[]`` fields in an urlencoded body."""
    fields = [*world.auth().items(), ("task", "append"), ("user", user), ("set", set_)]
    fields += [("ip[]", ip) for ip in ips]
    return client.post(f"{URL}.{fmt}", content=urlencode(fields), headers=FORM)


def listed(client: Client, world: World, user: str, account: str = A) -> list[str]:
    """The subuser's set as the next task=list call reports it."""
    params = {**world.auth(account), "task": "list", "user": user}
    data = json.loads(client.get(f"{URL}.json", params=params).content)
    assert data["success"] == "success", data
    return [item["ip"] for item in data["ips"]]


def ip_state(client: Client, world: World, state: str) -> list[str]:
    return ips_of(client.get("/apiv2/customer.ip.json", params={**world.auth(), "list": state}))


def held(world: World, user: str, account: str = A) -> list[str]:
    """The subuser's set as the service reads it from the database."""
    return subuser_ips(world.db, account=get_account(world.db, username=account), username=user)


def test_specify_replaces_the_set(client: Client, world: World) -> None:
    """Despite its name, append replaces the set; GET and POST alike."""
    assert listed(client, world, "alice") == ["192.0.2.10", "2001:db8::a"]
    check(append(client, world, "alice", "specify", "2001:db8::10", "192.0.2.100"), SUCCESS_JSON)
    assert listed(client, world, "alice") == ["192.0.2.100", "2001:db8::10"]  # not a union
    assert held(world, "alice") == ["192.0.2.100", "2001:db8::10"]
    check(append(client, world, "alice", "specify", "192.0.2.9", fmt="xml"), SUCCESS_XML)
    assert listed(client, world, "alice") == ["192.0.2.9"]
    # Duplicates and other spellings of one address are that address.
    ips = ["192.0.2.9", "2001:db8::a", "192.0.2.9", "2001:DB8::A", "2001:db8:0:0:0:0:0:a"]
    check(append(client, world, "dave", "specify", *ips), SUCCESS_JSON)
    assert listed(client, world, "dave") == ["192.0.2.9", "2001:db8::a"]
    # A deactivated subuser can be changed too.
    check(append(client, world, "carol", "specify", "100::1"), SUCCESS_JSON)
    assert listed(client, world, "carol") == ["100::1"]
    # GET works like POST for writes.
    query = urlencode(
        [
            *world.auth().items(),
            *{"task": "append", "user": "dave", "set": "specify"}.items(),
            ("ip[]", "192.0.2.2"),
            ("ip[]", "2001:db8::9"),
        ]
    )
    check(client.get(f"{URL}.json?{query}"), SUCCESS_JSON)
    assert listed(client, world, "dave") == ["192.0.2.2", "2001:db8::9"]
    check(client.get(f"{URL}.xml?{query.replace('dave', 'bob')}"), SUCCESS_XML)
    assert listed(client, world, "bob") == ["192.0.2.2", "2001:db8::9"]


def test_writes_touch_only_their_subuser(client: Client, world: World) -> None:
    before = world.snapshot()
    check(append(client, world, "dave", "specify", *A_FREE), SUCCESS_JSON)
    after = world.snapshot()
    assert after[A]["subusers"]["dave"] == (True, A_FREE)
    for name, value in before[A]["subusers"].items():
        if name != "dave":
            assert after[A]["subusers"][name] == value
    assert after[B] == before[B]
    assert after[A]["states"]["taken"] == sorted({*A_TAKEN, *A_FREE}, key=A_ALL.index)
    assert after[A]["states"]["available"] == [ip for ip in A_AVAILABLE if ip not in A_FREE]


def test_change_is_visible_in_the_ip_states(client: Client, world: World) -> None:
    # 192.0.2.11 is held by bob (active) and carol (deactivated).
    check(append(client, world, "bob", "none"), SUCCESS_JSON)
    assert "192.0.2.11" in ip_state(client, world, "available")
    assert "192.0.2.11" in ip_state(client, world, "taken")
    check(append(client, world, "carol", "specify", "192.0.2.100"), SUCCESS_JSON)
    free = ["192.0.2.9", "192.0.2.11", "100::1", "2001:db8::9", "2001:db8::10"]
    assert ip_state(client, world, "free") == free
    assert ip_state(client, world, "taken") == [
        "192.0.2.2",
        "192.0.2.10",
        "192.0.2.100",
        "2001:db8::a",
    ]
    # carol is deactivated, so the address she now holds stays available.
    assert "192.0.2.100" in ip_state(client, world, "available")
    check(append(client, world, "dave", "specify", "100::1"), SUCCESS_JSON)
    assert "100::1" not in ip_state(client, world, "available")


def test_set_none_and_set_all(client: Client, world: World) -> None:
    """none empties the explicit set; all takes the account's IPs at the time of the call."""
    check(append(client, world, "alice", "none", fmt="xml"), SUCCESS_XML)
    assert listed(client, world, "alice") == []
    assert held(world, "alice") == []
    # alice was the only holder of 2001:db8::a.
    assert "2001:db8::a" in ip_state(client, world, "free")
    check(append(client, world, "alice", "none"), SUCCESS_JSON)  # already empty: still fine
    assert listed(client, world, "alice") == []
    check(append(client, world, "dave", "all"), SUCCESS_JSON)
    assert listed(client, world, "dave") == A_ALL
    assert ip_state(client, world, "free") == []
    add_ips(world.db, account=get_account(world.db, username=A), specs=["192.0.2.50"], actor=SEEDER)
    assert listed(client, world, "dave") == A_ALL  # the new address was not on the account then
    assert ip_state(client, world, "free") == ["192.0.2.50"]
    check(append(client, world, "carol", "all", fmt="xml"), SUCCESS_XML)
    assert listed(client, world, "carol") == [*A_ALL[:4], "192.0.2.50", *A_ALL[4:]]


def _array(name: str, ips: list[str]) -> list[str]:
    """``ip`` fields spelled as ``name`` says (``{i}`` is replaced by the index)."""
    return [f"{name.replace('{i}', str(i))}={quote(ip, safe=':')}" for i, ip in enumerate(ips)]


ARRAY_NAMES = ["ip[]", "ip%5B%5D", "ip[{i}]", "ip%5B{i}%5D", "ip", "ip%5b%5d"]


def test_every_array_spelling_in_query_and_body(client: Client, world: World) -> None:
    auth = urlencode(world.auth())
    n = 0
    for name in ARRAY_NAMES:
        for where in ("query", "body"):
            want = [A_ALL[n % 9], A_ALL[(n + 4) % 9], A_ALL[(n + 7) % 9]]
            n += 1
            fields = "&".join([f"{auth}&task=append&user=dave&set=specify", *_array(name, want)])
            if where == "query":
                resp = client.get(f"{URL}.json?{fields}")
            else:
                resp = client.post(f"{URL}.json", content=fields, headers=FORM)
            check(resp, SUCCESS_JSON)
            got = listed(client, world, "dave")
            assert got == [ip for ip in A_ALL if ip in want], (name, where, got)


def test_multipart_mixed_and_merged_parameters(client: Client, world: World) -> None:
    """Multipart fields named ip[] or ip[N]; query and body split; the body's list wins."""
    fields = [(k, (None, v)) for k, v in world.auth().items()]
    fields += [("task", (None, "append")), ("user", (None, "dave")), ("set", (None, "specify"))]
    fields += [("ip[]", (None, "2001:db8::9")), ("ip[]", (None, "192.0.2.100"))]
    resp = client.post(f"{URL}.xml", files=fields)
    assert resp.request.headers["content-type"].startswith("multipart/form-data")
    assert b'name="ip[]"' in resp.request.read()
    check(resp, SUCCESS_XML)
    assert listed(client, world, "dave") == ["192.0.2.100", "2001:db8::9"]
    # Indexed names in multipart too, credentials in the query.
    files = [("task", (None, "append")), ("user", (None, "dave")), ("set", (None, "specify"))]
    files += [("ip[0]", (None, "100::1")), ("ip[1]", (None, "192.0.2.2"))]
    check(client.post(f"{URL}.json", params=world.auth(), files=files), SUCCESS_JSON)
    assert listed(client, world, "dave") == ["192.0.2.2", "100::1"]
    # Split between query and urlencoded body, either way round.
    query = {**world.auth(), "task": "append"}
    body = [("user", "bob"), ("set", "specify"), ("ip[]", "192.0.2.2")]
    check(client.post(f"{URL}.json", params=query, data=dict(body)), SUCCESS_JSON)
    assert listed(client, world, "bob") == ["192.0.2.2"]
    query = {"user": "bob", "ip[]": "192.0.2.9", "task": "append", "set": "specify"}
    check(client.post(f"{URL}.json", params=query, data=world.auth()), SUCCESS_JSON)
    assert listed(client, world, "bob") == ["192.0.2.9"]
    # The body's ip list replaces the query's whole list.
    base = [*world.auth().items(), ("task", "append"), ("user", "dave"), ("set", "specify")]
    qs = urlencode([*base, ("ip[]", "192.0.2.2"), ("ip[]", "192.0.2.9")])
    resp = client.post(f"{URL}.json?{qs}", content="ip%5B%5D=192.0.2.10", headers=FORM)
    check(resp, SUCCESS_JSON)
    assert listed(client, world, "dave") == ["192.0.2.10"]
    # A bad address in the replaced query list does not matter.
    qs = urlencode([*base, ("ip[]", "not-an-ip"), ("ip[]", "198.51.100.1")])
    resp = client.post(f"{URL}.json?{qs}", content="ip[0]=100::1&ip[1]=192.0.2.11", headers=FORM)
    check(resp, SUCCESS_JSON)
    assert listed(client, world, "dave") == ["192.0.2.11", "100::1"]
    # A body without ip leaves the query's list in force.
    qs = urlencode([("ip[]", "2001:db8::10"), ("ip[]", "192.0.2.2")])
    resp = client.post(f"{URL}.json?{qs}", content=urlencode(base), headers=FORM)
    check(resp, SUCCESS_JSON)
    assert listed(client, world, "dave") == ["192.0.2.2", "2001:db8::10"]


def test_ip_list_must_match_the_set(client: Client, world: World) -> None:
    """specify needs at least one ip; none and all refuse any."""
    before = world.snapshot()
    message = "You need to assign at least ONE IP to your subuser"
    check(append(client, world, "alice", "specify"), list_error_json(message))
    check(append(client, world, "alice", "specify", fmt="xml"), list_error_xml(message))
    params = {**world.auth(), "task": "append", "user": "alice", "set": "specify", "ips[]": "x"}
    check(client.get(f"{URL}.json", params=params), list_error_json(message))
    for set_ in ("none", "all"):
        for fmt in ("json", "xml"):
            resp = append(client, world, "alice", set_, "192.0.2.9", fmt=fmt)
            assert len(list_error(resp)) == 1
        query = urlencode(
            [*world.auth().items(), ("task", "append"), ("user", "bob"), ("set", set_)]
        )
        resp = client.get(f"{URL}.json?{query}&ip%5B0%5D=192.0.2.9")
        assert len(list_error(resp)) == 1
    assert world.snapshot() == before


def test_all_or_nothing_names_every_bad_address_in_input_order(
    client: Client, world: World
) -> None:
    before = world.snapshot()
    ips = [
        "192.0.2.100",  # fine
        "bad1",
        "198.51.100.1",  # B's
        "192.0.2.9",  # fine
        "0x7f.0.0.1",
        "203.0.113.5",  # nobody's
        "bad1",  # duplicate: named once
        "2001:db8:b::1",  # B's
        "1.2.3",
    ]
    expected = [
        "Invalid IP address: bad1",
        "IP address is not on your account: 198.51.100.1",
        "Invalid IP address: 0x7f.0.0.1",
        "IP address is not on your account: 203.0.113.5",
        "IP address is not on your account: 2001:db8:b::1",
        "Invalid IP address: 1.2.3",
    ]
    check(append(client, world, "alice", "specify", *ips), list_error_json(*expected))
    check(append(client, world, "alice", "specify", *ips, fmt="xml"), list_error_xml(*expected))
    assert world.snapshot() == before
    assert listed(client, world, "alice") == ["192.0.2.10", "2001:db8::a"]


def test_malformed_addresses_are_named_as_given(client: Client, world: World) -> None:
    before = world.snapshot()
    bad = [
        " 192.0.2.9",
        "192.0.2.9 ",
        "192.0.2.9/32",
        "fe80::1%eth0",
        "1.2.3",
        "0x7f.0.0.1",
        "192.0.2.09",
        "١٩٢.0.2.9",  # Arabic-Indic digits
        "2001:db8::g",
        "",
    ]
    expected = [f"Invalid IP address: {ip}" for ip in bad]
    check(append(client, world, "dave", "specify", *bad), list_error_json(*expected))
    resp = append(client, world, "dave", "specify", *bad, fmt="xml")
    check(resp, list_error_xml(*expected))
    assert b"<error>Invalid IP address: 192.0.2.9/32</error>" in resp.content
    assert b"&#1633;&#1641;&#1634;.0.2.9" in resp.content
    assert (
        b'"Invalid IP address: 192.0.2.9\\/32"'
        in append(client, world, "dave", "specify", "192.0.2.9/32").content
    )
    # IPv4-mapped IPv6 is refused with a pointer to the IPv4 form.
    [message] = list_error(append(client, world, "dave", "specify", "::ffff:192.0.2.9"))
    assert message.startswith("Invalid IP address: ::ffff:192.0.2.9")
    assert "192.0.2.9" in message.removeprefix("Invalid IP address: ::ffff:192.0.2.9")
    assert world.snapshot() == before


def test_bad_parameters_change_nothing(client: Client, world: World) -> None:
    """Invalid set values, missing set or user, the buggy PHP client's task=specify."""
    before = world.snapshot()
    for set_ in ["SPECIFY", "Specify", "ALL", "none ", " all", "some", "append", "list"]:
        resp = append(client, world, "alice", set_, "192.0.2.9")
        check(resp, object_error_json(400, "Invalid set parameter"))
        resp = append(client, world, "alice", set_, fmt="xml")
        check(resp, object_error_xml("Invalid set parameter"))
    base = {**world.auth(), "task": "append"}
    resp = client.post(f"{URL}.json", data={**base, "user": "alice", "ip[]": "192.0.2.9"})
    check(resp, list_error_json("Missing required parameter: set"))
    resp = client.post(f"{URL}.xml", data={**base, "set": "none"})
    check(resp, list_error_xml("Missing required parameter: user"))
    resp = client.post(f"{URL}.json", data={**base, "user": "", "set": "none"})
    check(resp, list_error_json("Missing required parameter: user"))
    resp = client.post(f"{URL}.json", data=base)
    assert set(list_error(resp)) == {
        "Missing required parameter: user",
        "Missing required parameter: set",
    }
    # The buggy PHP client sends task=specify and no set: a clear error, nothing changes.
    fields = [*world.auth().items(), ("task", "specify"), ("user", "alice")]
    fields += [("ip[]", "192.0.2.9"), ("ip[]", "192.0.2.100")]
    resp = client.post(f"{URL}.json", content=urlencode(fields), headers=FORM)
    check(resp, b'{"error":{"code":400,"message":"Invalid task parameter"}}')
    resp = client.get(f"{URL}.xml?{urlencode(fields)}")
    check(resp, object_error_xml("Invalid task parameter"))
    assert world.snapshot() == before
