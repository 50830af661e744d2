"""v2 reseller.ip (docs/v2.md §6): the account's IPs by state with an `ip` substring filter, and
task=usage listing every (ip, subuser) holding, filtered by `ip` and `user` substrings."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ipfleet.services.accounts import get_account
from ipfleet.services.ips import add_ips
from ipfleet.services.subusers import SetMode, set_subuser_active, set_subuser_ips
from ipfleet.store.uow import Database
from tests.support.db import ACTOR
from tests.support.inprocess import V2Forms
from tests.support.seed import Acct, Sub, seed_subuser
from tests.support.v2_bodies import (
    SUCCESS_JSON,
    check,
    list_error_json,
    object_error_json,
    object_error_xml,
    xml_doc,
)

FMTS = ["json", "xml"]
EXTRA_A_IPS = ["2001:db8::10", "198.51.100.210", "2001:db8::a"]
ALL = [
    "192.0.2.2",
    "192.0.2.9",
    "192.0.2.10",
    "192.0.2.100",
    "198.51.100.210",
    "2001:db8::1",
    "2001:db8::a",
    "2001:db8::10",
]
TAKEN = ["192.0.2.9", "192.0.2.10", "2001:db8::a", "2001:db8::10"]
FREE = ["192.0.2.2", "192.0.2.100", "198.51.100.210", "2001:db8::1"]
AVAILABLE = ["192.0.2.2", "192.0.2.9", "192.0.2.100", "198.51.100.210", "2001:db8::1"]
BEETLE = "жук"
USAGE = [
    ("192.0.2.9", "bob"),
    ("192.0.2.10", "alice"),
    ("192.0.2.10", "alicia"),
    ("192.0.2.10", "bob"),
    ("2001:db8::a", "alice"),
    ("2001:db8::10", BEETLE),
]
HOLDERS: dict[str, tuple[bool, list[str]]] = {
    "alice": (True, ["2001:db8::a", "192.0.2.10"]),
    "alicia": (True, ["192.0.2.10"]),
    "bob": (False, ["192.0.2.10", "192.0.2.9"]),
    "carol": (True, []),
    BEETLE: (True, ["2001:db8::10"]),
}


def seed_holders(db: Database, acct: Acct, holders: dict[str, tuple[bool, list[str]]]) -> None:
    account = get_account(db, username=acct.name)
    for name, (active, ips) in holders.items():
        spec = Sub(held=ips, active=active, email=f"s{len(name)}@x.test")
        seed_subuser(db, account, name, spec, actor=ACTOR)


@pytest.fixture
def world(db: Database, acct_a: Acct, acct_b: Acct) -> tuple[Acct, Acct]:
    add_ips(db, account=get_account(db, username=acct_a.name), specs=EXTRA_A_IPS, actor=ACTOR)
    seed_holders(db, acct_a, HOLDERS)
    seed_holders(db, acct_b, {"erin": (True, ["198.51.100.1"]), "frank": (False, [])})
    return acct_a, acct_b


def ips_json(ips: list[str]) -> bytes:
    return ("[" + ",".join(f'{{"ip":"{ip}"}}' for ip in ips) + "]").encode()


def ips_xml(ips: list[str]) -> bytes:
    return xml_doc("<ips>", *(f"   <ip>{ip}</ip>" for ip in ips), "</ips>")


def listed(v2: V2Forms, acct: Acct, fmt: str, **params: str) -> list[str]:
    """The addresses of a reseller.ip list answer (XML parsed with a standard parser)."""
    resp = v2.call("reseller.ip", fmt, acct, **params)
    assert resp.status_code == 200
    if fmt == "json":
        return [e["ip"] for e in resp.json()]
    root = ET.fromstring(resp.content)
    assert root.tag == "ips"
    return [str(e.text) for e in root.findall("ip")]


def usage_of(v2: V2Forms, acct: Acct, fmt: str, **filters: str) -> list[tuple[str, str]]:
    resp = v2.call("reseller.ip", fmt, acct, task="usage", **filters)
    assert resp.status_code == 200
    if fmt == "json":
        return [(e["ip"], e["user"]) for e in resp.json()]
    root = ET.fromstring(resp.content)
    assert root.tag == "ips"
    return [(str(e.findtext("ip")), str(e.findtext("user"))) for e in root.findall("entry")]


def test_states_in_numeric_order_byte_for_byte(v2: V2Forms, world: tuple[Acct, Acct]) -> None:
    a, _ = world
    for task, ips in [("all", ALL), ("taken", TAKEN), ("free", FREE), ("available", AVAILABLE)]:
        check(v2.call("reseller.ip", "json", a, task=task), ips_json(ips), label=task)
        check(v2.call("reseller.ip", "xml", a, task=task), ips_xml(ips), label=task)
        # The same as customer.ip gives for the same state.
        assert v2.call("customer.ip", "json", a, list=task).content == ips_json(ips), task


IP_FILTERS: list[tuple[str, str, list[str]]] = [
    ("all", "192.0.2.1", ["192.0.2.10", "192.0.2.100"]),
    ("all", "0.2.1", ["192.0.2.10", "192.0.2.100"]),
    ("all", "192.0.2.100", ["192.0.2.100"]),
    ("all", "::1", ["2001:db8::1", "2001:db8::10"]),
    ("all", ":", ["2001:db8::1", "2001:db8::a", "2001:db8::10"]),
    ("all", ".", ALL[:5]),
    ("all", "210", ["198.51.100.210"]),
    ("all", "DB8", []),  # the canonical text is lower case
    ("all", "%", []),  # literal characters, not LIKE wildcards
    ("all", "_", []),
    ("all", "10.0.0.1", []),
    ("taken", "192.0.2.10", ["192.0.2.10"]),
    ("taken", "2001", ["2001:db8::a", "2001:db8::10"]),
    ("free", "192.0.2.10", ["192.0.2.100"]),
    ("free", "2001", ["2001:db8::1"]),
    ("available", "192", ["192.0.2.2", "192.0.2.9", "192.0.2.100"]),
    ("available", "::", ["2001:db8::1"]),
]


def test_ip_filter_is_a_substring_of_the_canonical_text(
    v2: V2Forms, world: tuple[Acct, Acct]
) -> None:
    a, _ = world
    for task, needle, expected in IP_FILTERS:
        for fmt in FMTS:
            got = listed(v2, a, fmt, task=task, ip=needle)
            assert got == expected, (fmt, task, needle)
    check(
        v2.get("reseller.ip", "json", a, task="all", ip="192.0.2.1"),
        ips_json(["192.0.2.10", "192.0.2.100"]),
    )
    check(
        v2.call("reseller.ip", "xml", a, task="taken", ip="2001"),
        ips_xml(["2001:db8::a", "2001:db8::10"]),
    )
    # An empty filter is no filter; SendGrid's system/group filters are accepted, ignored.
    assert listed(v2, a, "json", task="all", ip="") == ALL
    assert listed(v2, a, "json", task="free", system="true", group="whatever") == FREE


def test_usage_byte_for_byte(v2: V2Forms, world: tuple[Acct, Acct]) -> None:
    a, _ = world
    json_body = (
        b'[{"ip":"192.0.2.9","user":"bob"},{"ip":"192.0.2.10","user":"alice"},'
        b'{"ip":"192.0.2.10","user":"alicia"},{"ip":"192.0.2.10","user":"bob"},'
        b'{"ip":"2001:db8::a","user":"alice"},'
        b'{"ip":"2001:db8::10","user":"\\u0436\\u0443\\u043a"}]'
    )
    check(v2.call("reseller.ip", "json", a, task="usage"), json_body)
    lines = ["<ips>"]
    for ip, user in USAGE:
        text = user.encode("ascii", "xmlcharrefreplace").decode()
        lines += ["   <entry>", f"      <ip>{ip}</ip>", f"      <user>{text}</user>", "   </entry>"]
    xml_body = xml_doc(*lines, "</ips>")
    assert b"<user>&#1078;&#1091;&#1082;</user>" in xml_body
    check(v2.call("reseller.ip", "xml", a, task="usage"), xml_body)
    assert usage_of(v2, a, "xml") == USAGE


USAGE_FILTERS: list[tuple[dict[str, str], list[tuple[str, str]]]] = [
    ({"user": "lic"}, [USAGE[1], USAGE[2], USAGE[4]]),
    ({"user": "alice"}, [USAGE[1], USAGE[4]]),
    ({"user": "b"}, [USAGE[0], USAGE[3]]),
    ({"user": "ж"}, [USAGE[5]]),
    ({"user": "ALICE"}, []),
    ({"user": "carol"}, []),  # holds nothing, so appears nowhere
    ({"user": "erin"}, []),  # another account's
    ({"user": "%"}, []),
    ({"user": "_"}, []),
    ({"ip": "2001"}, [USAGE[4], USAGE[5]]),
    ({"ip": "192.0.2.1"}, USAGE[1:4]),
    ({"ip": "192.0.2.10", "user": "b"}, [USAGE[3]]),
    ({"ip": "192.0.2.9", "user": "alice"}, []),
    ({"ip": "", "user": ""}, USAGE),
]


def test_usage_filters_are_anded_substrings(v2: V2Forms, world: tuple[Acct, Acct]) -> None:
    a, _ = world
    for filters, expected in USAGE_FILTERS:
        for fmt in FMTS:
            assert usage_of(v2, a, fmt, **filters) == expected, (fmt, filters)


def test_answers_follow_writes_at_once(v2: V2Forms, db: Database, world: tuple[Acct, Acct]) -> None:
    """A read right after a write (through the API or not) shows the write."""
    a, _ = world
    assert usage_of(v2, a, "json", user="carol") == []
    assert listed(v2, a, "json", task="free") == FREE
    resp = v2.call(
        "customer.sendip",
        "json",
        a,
        task="append",
        set="specify",
        user="carol",
        ip=["192.0.2.2", "2001:db8::1"],
    )
    check(resp, SUCCESS_JSON)
    assert usage_of(v2, a, "json", user="carol") == [
        ("192.0.2.2", "carol"),
        ("2001:db8::1", "carol"),
    ]
    assert listed(v2, a, "json", task="free") == ["192.0.2.100", "198.51.100.210"]
    # A write by another process (here: the services directly) is seen as well.
    set_subuser_active(
        db, account=get_account(db, username=a.name), username="carol", active=False, actor=ACTOR
    )
    assert listed(v2, a, "json", task="available") == [
        "192.0.2.2",
        "192.0.2.9",
        "192.0.2.100",
        "198.51.100.210",
        "2001:db8::1",
    ]
    set_subuser_ips(
        db,
        account=get_account(db, username=a.name),
        username="carol",
        mode=SetMode.NONE,
        ips=[],
        actor=ACTOR,
    )
    assert usage_of(v2, a, "json", user="carol") == []


def test_another_accounts_ips_and_holdings_are_never_listed(
    v2: V2Forms, world: tuple[Acct, Acct]
) -> None:
    a, b = world
    for fmt in FMTS:
        assert listed(v2, b, fmt, task="all") == ["198.51.100.1", "198.51.100.10"]
        assert listed(v2, b, fmt, task="all", ip="192.0.2") == []
        assert listed(v2, b, fmt, task="all", ip="100.2") == []  # A's 198.51.100.210
        assert listed(v2, a, fmt, task="all", ip="198.51.100.1") == []  # B's .1 and .10
        assert listed(v2, a, fmt, task="all", ip="198.51.100") == ["198.51.100.210"]
        assert usage_of(v2, b, fmt) == [("198.51.100.1", "erin")]
        assert usage_of(v2, b, fmt, user="a") == []
        assert usage_of(v2, a, fmt, ip="198.51.100.1") == []


def test_parameter_errors(v2: V2Forms, world: tuple[Acct, Acct]) -> None:
    a, _ = world
    check(v2.call("reseller.ip", "json", a), list_error_json("Missing required parameter: task"))
    # docs/v2.md §1: an empty value of an enumerated parameter is invalid, not missing.
    check(v2.call("reseller.ip", "xml", a, task=""), object_error_xml("Invalid task parameter"))
    for bad in ("ALL", "Usage", "usage ", "list", "specify", "none"):
        check(
            v2.call("reseller.ip", "json", a, task=bad),
            object_error_json(400, "Invalid task parameter"),
            label=bad,
        )
        check(
            v2.call("reseller.ip", "xml", a, task=bad),
            object_error_xml("Invalid task parameter"),
            label=bad,
        )
    wrong = {"api_user": a.name, "api_key": a.key + "x"}
    resp = v2.client.post("/apiv2/reseller.ip.json", data={**wrong, "task": "all"})
    check(resp, object_error_json(401, "Permission denied, wrong credentials"))


def test_empty_answers_parse(v2: V2Forms, acct_b: Acct) -> None:
    for task in ("taken", "usage"):
        for fmt in FMTS:
            resp = v2.call("reseller.ip", fmt, acct_b, task=task)
            if fmt == "json":
                check(resp, b"[]", label=task)
            else:
                root = ET.fromstring(resp.content)
                assert (root.tag, list(root)) == ("ips", []), task
                assert resp.content.startswith(xml_doc()), task
