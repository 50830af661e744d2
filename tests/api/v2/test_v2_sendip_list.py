"""customer.sendip task=list (docs/v2.md §5): a subuser's explicit set and the outbound cluster."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from tests.support.inprocess import Client
from tests.support.v2_bodies import (
    NO_USER_JSON,
    NO_USER_XML,
    check,
    list_error_json,
    list_error_xml,
    object_error_json,
    object_error_xml,
    sendip_json,
    sendip_xml,
)
from tests.support.v2_world import A_SUBUSERS, B_CLUSTER, B_SUBUSERS, ODD_NAME, B, World

URL = "/apiv2/customer.sendip"
DEFAULT = "SendGrid MTA"


def _numeric(ips: list[str]) -> list[str]:
    return sorted(ips, key=lambda t: (ipaddress.ip_address(t).version, ipaddress.ip_address(t)))


def test_every_subuser_json_and_xml(client: Client, world: World) -> None:
    """Active and deactivated alike, odd names too; an empty explicit set is []."""
    assert ODD_NAME in A_SUBUSERS
    for name, (_active, held) in A_SUBUSERS.items():
        params = {**world.auth(), "task": "list", "user": name}
        check(client.get(f"{URL}.json", params=params), sendip_json(DEFAULT, _numeric(held)))
        check(client.post(f"{URL}.xml", data=params), sendip_xml(DEFAULT, _numeric(held)))
    # Unknown extra parameters are ignored.
    params = {**world.auth(), "task": "list", "user": "bob", "set": "bogus", "ip[]": "junk"}
    resp = client.get(f"{URL}.json", params={**params, "list": "x"})
    check(resp, sendip_json(DEFAULT, ["192.0.2.10", "192.0.2.11"]))


def test_spec_example_bodies(client: Client, world: World) -> None:
    resp = client.get(f"{URL}.json", params={**world.auth(), "task": "list", "user": "dave"})
    check(resp, b'{"success":"success","outboundcluster":"SendGrid MTA","ips":[]}')
    resp = client.get(f"{URL}.json", params={**world.auth(), "task": "list", "user": "bob"})
    check(
        resp,
        b'{"success":"success","outboundcluster":"SendGrid MTA",'
        b'"ips":[{"ip":"192.0.2.10"},{"ip":"192.0.2.11"}]}',
    )
    resp = client.get(f"{URL}.xml", params={**world.auth(), "task": "list", "user": "alice"})
    check(
        resp,
        b'<?xml version="1.0" encoding="ISO-8859-1"?>\n\n<sendips>\n'
        b"   <ocluster>SendGrid MTA</ocluster>\n   <ips>\n      <ip>192.0.2.10</ip>\n"
        b"      <ip>2001:db8::a</ip>\n   </ips>\n</sendips>\n",
    )


def test_outbound_cluster(make_client: Callable[..., Client], world: World) -> None:
    """The account's own cluster (escaped in both formats), else the setting's default."""
    client = make_client()
    for name, (_active, held) in B_SUBUSERS.items():
        params = {**world.auth(B), "task": "list", "user": name}
        json_resp = client.get(f"{URL}.json", params=params)
        check(json_resp, sendip_json(B_CLUSTER, held))
        assert json_resp.content.isascii()
        check(client.get(f"{URL}.xml", params=params), sendip_xml(B_CLUSTER, held))
    resp = client.get(f"{URL}.xml", params={**world.auth(B), "task": "list", "user": "erin"})
    assert b"<ocluster>mta &lt;&amp;&gt; &quot;b&apos;s&quot; &#1082;&#1083;" in resp.content
    custom = make_client(outbound_cluster="Custom/MTA")
    resp = custom.get(f"{URL}.json", params={**world.auth(), "task": "list", "user": "dave"})
    check(resp, b'{"success":"success","outboundcluster":"Custom\\/MTA","ips":[]}')
    resp = custom.get(f"{URL}.xml", params={**world.auth(B), "task": "list", "user": "erin"})
    check(resp, sendip_xml(B_CLUSTER, ["198.51.100.1"]))


def test_unknown_user_in_both_formats(client: Client, world: World) -> None:
    names = ["nobody", "ALICE", "Alice", "alice ", " alice", "alic", "<&>", ODD_NAME + " "]
    names += ["erin", "frank", "reseller-a", "reseller-b"]  # B's subusers, account names
    for name in names:
        params = {**world.auth(), "task": "list", "user": name}
        check(client.get(f"{URL}.json", params=params), NO_USER_JSON)
        check(client.get(f"{URL}.xml", params=params), NO_USER_XML)


def test_bad_task_and_user_parameters(client: Client, world: World) -> None:
    for params in ({"task": "list"}, {"task": "list", "user": ""}):
        resp = client.get(f"{URL}.json", params={**world.auth(), **params})
        check(resp, list_error_json("Missing required parameter: user"))
        resp = client.get(f"{URL}.xml", params={**world.auth(), **params})
        check(resp, list_error_xml("Missing required parameter: user"))
    resp = client.get(f"{URL}.json", params={**world.auth(), "user": "alice"})
    check(resp, list_error_json("Missing required parameter: task"))
    resp = client.post(f"{URL}.xml", data={**world.auth(), "user": "alice"})
    check(resp, list_error_xml("Missing required parameter: task"))
    for task in ["LIST", "List", "list ", "APPEND", "specify", "get", "none"]:
        params = {**world.auth(), "task": task, "user": "alice", "set": "all"}
        resp = client.get(f"{URL}.json", params=params)
        check(resp, object_error_json(400, "Invalid task parameter"))
        check(client.get(f"{URL}.xml", params=params), object_error_xml("Invalid task parameter"))
