"""v2 errors (docs/v2.md §1-2): credentials, precedence, unknown calls and formats, verbs, limits,
real-status mode, and escaping of error texts."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlencode

import httpx
import pytest

from ipfleet.api.v2.errors import to_v2
from ipfleet.api.v2.render import php_json, xml_document
from ipfleet.domain import errors as domain_errors
from ipfleet.services.accounts import get_account
from ipfleet.services.keys import create_key, revoke_key
from tests.support.inprocess import Client
from tests.support.v2_bodies import (
    CREDENTIALS_JSON,
    CREDENTIALS_XML,
    JSON_TYPE,
    NO_USER_JSON,
    NO_USER_XML,
    SUCCESS_JSON,
    check,
    list_error,
    list_error_json,
    list_error_xml,
    object_error_json,
    xml_doc,
)
from tests.support.v2_world import SEEDER, A, B, World

IP = "/apiv2/customer.ip"
SENDIP = "/apiv2/customer.sendip"
FORM = {"content-type": "application/x-www-form-urlencoded"}
MIB = 1_048_576


def test_credential_errors_are_all_identical(
    make_client: Callable[..., Client], world: World
) -> None:
    """Missing, empty, unknown, wrong, another account's, revoked: one answer for all."""
    a_key, b_key = world.keys[A], world.keys[B]
    other_shape = "SG." + "A" * 22 + "." + "B" * 43
    cases: list[dict[str, str]] = [
        {},
        {"api_key": a_key},
        {"api_user": A},
        {"api_user": "", "api_key": a_key},
        {"api_user": A, "api_key": ""},
        {"api_user": "", "api_key": ""},
        {"api_user": "nobody", "api_key": a_key},
        {"api_user": "RESELLER-A", "api_key": a_key},
        {"api_user": A + " ", "api_key": a_key},
        {"api_user": "alice", "api_key": a_key},  # a subuser is not a reseller
        {"api_user": A, "api_key": other_shape},
        {"api_user": A, "api_key": "wrong"},
        {"api_user": A, "api_key": a_key + "x"},
        {"api_user": A, "api_key": " " + a_key},
        {"api_user": A, "api_key": b_key},
        {"api_user": B, "api_key": a_key},
        {"api_user": A, "api_key": world.revoked_key},
    ]
    calls = [
        (IP, {"list": "all"}),
        (SENDIP, {"task": "list", "user": "alice"}),
        (SENDIP, {"task": "append", "user": "alice", "set": "none"}),
    ]
    default, strict = make_client(), make_client(v2_http_errors=True)
    before = world.snapshot()
    for creds in cases:
        for url, params in calls:
            resp = default.get(f"{url}.json", params={**params, **creds})
            check(resp, CREDENTIALS_JSON)
            check(default.post(f"{url}.xml", data={**params, **creds}), CREDENTIALS_XML)
            check(
                strict.get(f"{url}.json", params={**params, **creds}), CREDENTIALS_JSON, status=401
            )
            check(strict.get(f"{url}.xml", params={**params, **creds}), CREDENTIALS_XML, status=401)
    assert world.snapshot() == before
    # The same requests with right credentials work (so the cases above failed on those).
    check(default.get(f"{SENDIP}.json", params={**calls[2][1], **world.auth()}), SUCCESS_JSON)
    # A key revoked after it was used stops working at once.
    info, key = create_key(
        world.db, account=get_account(world.db, username=A), name="short-lived", actor=SEEDER
    )
    params = {**calls[0][1], "api_user": A, "api_key": key}
    assert default.get(f"{IP}.json", params=params).content.startswith(b'[{"ip":')
    revoke_key(
        world.db, account=get_account(world.db, username=A), key_id=info.key_id, actor=SEEDER
    )
    check(default.get(f"{IP}.json", params=params), CREDENTIALS_JSON)


def _q(world: World, account: str = A, **params: str) -> str:
    return urlencode({**world.auth(account), **params})


def test_precedence_when_wrong_in_two_ways(
    make_client: Callable[..., Client], world: World
) -> None:
    """Each request is wrong in two ways; the earlier kind in the order of docs/v2.md §2 wins."""
    bad = urlencode({"api_user": A, "api_key": "wrong"})
    cases: list[tuple[str, str, str, bytes, int]] = [
        # (method, url, label, expected JSON body, status in real-status mode)
        # unknown call beats verb and credentials
        (
            "GET",
            f"/apiv2/customer.nope.json?{bad}",
            "call+creds",
            list_error_json("Unknown API call: customer.nope"),
            404,
        ),
        (
            "PUT",
            f"/apiv2/customer.nope.json?{bad}",
            "call+verb",
            list_error_json("Unknown API call: customer.nope"),
            404,
        ),
        # verb beats credentials and parameters
        ("DELETE", f"{IP}.json?{bad}", "verb+creds", b"", 405),
        # credentials beat missing and invalid parameters and unknown users
        ("GET", f"{IP}.json?{bad}", "creds+missing", CREDENTIALS_JSON, 401),
        ("GET", f"{IP}.json?{bad}&list=ALL", "creds+enum", CREDENTIALS_JSON, 401),
        ("GET", f"{SENDIP}.json?{bad}&task=list&user=nobody", "creds+user", CREDENTIALS_JSON, 401),
        # missing parameters beat invalid values and unknown users
        (
            "GET",
            f"{SENDIP}.json?{_q(world, task='bogus')}",
            "missing+enum",
            list_error_json("Missing required parameter: user"),
            400,
        ),
        (
            "GET",
            f"{SENDIP}.json?{_q(world, task='append', user='nobody')}",
            "missing+user",
            list_error_json("Missing required parameter: set"),
            400,
        ),
        # invalid values beat unknown users and addresses
        (
            "GET",
            f"{SENDIP}.json?{_q(world, task='lIST', user='nobody')}",
            "enum+user",
            object_error_json(400, "Invalid task parameter"),
            400,
        ),
        (
            "GET",
            f"{SENDIP}.json?{_q(world, task='append', user='nobody', set='any')}",
            "enum+user",
            object_error_json(400, "Invalid set parameter"),
            400,
        ),
        (
            "GET",
            f"{SENDIP}.json?{_q(world, task='append', user='alice', set='x')}&ip[]=bad",
            "enum+address",
            object_error_json(400, "Invalid set parameter"),
            400,
        ),
        # unknown users beat addresses, malformed or foreign
        (
            "GET",
            f"{SENDIP}.json?{_q(world, task='append', user='nobody', set='specify')}"
            "&ip[]=bad&ip[]=198.51.100.1",
            "user+address",
            NO_USER_JSON,
            400,
        ),
        (
            "GET",
            f"{SENDIP}.json?{_q(world, task='append', user='erin', set='specify')}"
            "&ip[]=198.51.100.1",
            "foreign user+foreign address",
            NO_USER_JSON,
            400,
        ),
    ]
    default, strict = make_client(), make_client(v2_http_errors=True)
    before = world.snapshot()
    for method, url, label, body, status in cases:
        resp, sresp = default.request(method, url), strict.request(method, url)
        if status == 405:
            assert resp.status_code == sresp.status_code == 405, label
            assert len(list_error(resp, status=405)) == 1
            continue
        assert resp.content == body, (label, resp.content)
        check(resp, body)
        check(sresp, body, status=status)
    assert world.snapshot() == before


def test_unknown_call_or_format(make_client: Callable[..., Client], world: World) -> None:
    default, strict = make_client(), make_client(v2_http_errors=True)
    for name in ["customer.nope", "customer.IP", "Customer.ip", "customer.sendip2", "customer"]:
        for fmt in ("json", "xml"):
            url = f"/apiv2/{name}.{fmt}?{_q(world, list='all', task='list', user='alice')}"
            message = f"Unknown API call: {name}"
            expected = list_error_json(message) if fmt == "json" else list_error_xml(message)
            check(default.get(url), expected)
            check(strict.post(url), expected, status=404)
    # An unknown format is answered in JSON, list form (404 in real-status mode).
    for suffix in ["yaml", "JSON", "Xml", "html", "json2"]:
        url = f"{IP}.{suffix}?{_q(world, list='all')}"
        for client, status in ((default, 200), (strict, 404)):
            resp = client.get(url)
            assert resp.headers["content-type"] == JSON_TYPE
            assert len(list_error(resp, status=status)) == 1
    # Precedence: an unknown format beats a wrong verb.
    resp = default.request("PUT", f"{IP}.yaml?{_q(world, list='all')}")
    assert resp.headers["content-type"] == JSON_TYPE
    assert len(list_error(resp, status=200)) == 1


def test_other_verbs_are_refused_with_405_in_both_modes(
    make_client: Callable[..., Client], world: World
) -> None:
    before = world.snapshot()
    write = {"task": "append", "user": "alice", "set": "none"}
    for client in (make_client(), make_client(v2_http_errors=True)):
        for method in ("PUT", "DELETE", "PATCH"):
            resp = client.request(method, f"{IP}.json?{_q(world, list='all')}")
            assert len(list_error(resp, status=405)) == 1
            resp = client.request(
                method, f"{SENDIP}.xml", content=urlencode({**world.auth(), **write}), headers=FORM
            )
            assert len(list_error(resp, status=405)) == 1  # XML list form
            ET.fromstring(resp.content)
    assert world.snapshot() == before


def _ips_body(world: World, count: int, user: str = "alice") -> str:
    fields = {**world.auth(), "task": "append", "user": user, "set": "specify"}
    return urlencode(fields) + "&ip%5B%5D=192.0.2.100" * count


def test_limits(make_client: Callable[..., Client], world: World) -> None:
    """Over 10,000 ip entries (counted before de-duplication) or 1 MiB of body: refused."""
    default, strict = make_client(), make_client(v2_http_errors=True)
    before = world.snapshot()
    body = _ips_body(world, 10_001)
    assert len(body) < MIB  # refused for the count, not the size
    for client, status in ((default, 200), (strict, 413)):
        resp = client.post(f"{SENDIP}.json", content=body, headers=FORM)
        assert len(list_error(resp, status=status)) == 1
        resp = client.post(f"{SENDIP}.xml", content=body, headers=FORM)
        assert len(list_error(resp, status=status)) == 1
        short = _q(world, task="append", user="alice", set="specify") + "&ip=1" * 10_001
        resp = client.get(f"{SENDIP}.json?{short}")  # in the query, with a short spelling
        assert len(list_error(resp, status=status)) == 1
    assert world.snapshot() == before
    # 10,000 duplicates of one address are fine: the set becomes that one address.
    check(
        default.post(f"{SENDIP}.json", content=_ips_body(world, 10_000), headers=FORM), SUCCESS_JSON
    )
    resp = default.get(f"{SENDIP}.json?{_q(world, task='list', user='alice')}")
    assert b'"ips":[{"ip":"192.0.2.100"}]' in resp.content
    # A body over 1 MiB, with or without Content-Length.
    before = world.snapshot()
    over = _padded(world, MIB + 1)
    for client, status in ((default, 200), (strict, 413)):
        resp = client.post(f"{SENDIP}.json", content=over, headers=FORM)
        assert len(list_error(resp, status=status)) == 1
        resp = client.post(f"{SENDIP}.xml", content=over, headers=FORM)
        assert len(list_error(resp, status=status)) == 1
    resp = strict.post(f"{SENDIP}.json", content=_chunks(over), headers=FORM)
    assert "content-length" not in resp.request.headers
    assert len(list_error(resp, status=413)) == 1
    assert world.snapshot() == before
    # Exactly 1 MiB is still accepted.
    check(default.post(f"{SENDIP}.json", content=_padded(world, MIB), headers=FORM), SUCCESS_JSON)
    assert world.snapshot()[A]["subusers"]["alice"] == (True, [])


def _padded(world: World, size: int) -> bytes:
    body = urlencode({**world.auth(), "task": "append", "user": "alice", "set": "none"}) + "&pad="
    return (body + "x" * (size - len(body))).encode()


async def _chunks(data: bytes) -> AsyncIterator[bytes]:
    """A streamed body (no Content-Length): its size is only found by reading it."""
    for start in range(0, len(data), 65_536):
        yield data[start : start + 65_536]


def test_real_status_mode(make_client: Callable[..., Client], world: World) -> None:
    """The same bodies in both modes; only the status differs (405 is always 405)."""
    default, strict = make_client(), make_client(v2_http_errors=True)
    cases: list[tuple[str, str, int]] = [
        ("GET", f"{IP}.json?{_q(world, list='all')}", 200),
        ("GET", f"{IP}.xml?{_q(world, list='free')}", 200),
        ("GET", f"{IP}.json?{_q(world)}", 400),  # missing parameter
        ("GET", f"{IP}.xml?{_q(world, list='FREE')}", 400),  # invalid value
        ("GET", f"{SENDIP}.json?{_q(world, task='list', user='nobody')}", 400),
        ("GET", f"{SENDIP}.xml?{_q(world, task='append', user='dave', set='specify')}", 400),
        ("GET", f"{SENDIP}.json?{_q(world, task='append', user='dave', set='specify')}&ip=x", 400),
        (
            "GET",
            f"{SENDIP}.json?{_q(world, task='append', user='dave', set='specify')}&ip=198.51.100.1",
            400,
        ),
        ("GET", f"{IP}.xml?api_user={A}&api_key=nope&list=all", 401),
        ("GET", f"/apiv2/customer.nope.xml?{_q(world)}", 404),
        ("GET", f"{IP}.txt?{_q(world, list='all')}", 404),
        ("PUT", f"{IP}.json?{_q(world, list='all')}", 405),
        ("GET", f"{SENDIP}.json?{_q(world, task='list', user='dave')}" + "&ip=1" * 10_001, 413),
    ]
    for method, url, status in cases:
        resp, sresp = default.request(method, url), strict.request(method, url)
        assert resp.status_code == (405 if status == 405 else 200), url
        assert sresp.status_code == status, url
        assert resp.content == sresp.content
        assert resp.headers["content-type"] == sresp.headers["content-type"]


def _parse(resp: httpx.Response) -> ET.Element:
    return ET.fromstring(resp.content)


def test_escaping_in_error_texts(client: Client, world: World) -> None:
    """User input echoed in errors: JSON stays ASCII, XML escapes and always parses."""
    params = {**world.auth(), "task": "list", "user": "<&>"}
    check(client.get(f"{SENDIP}.json", params=params), NO_USER_JSON)
    check(client.get(f"{SENDIP}.xml", params=params), NO_USER_XML)
    raw = "<a&b>\"'/жé\U0001f600"
    message = f"Invalid IP address: {raw}"
    fields = {**world.auth(), "task": "append", "user": "dave", "set": "specify", "ip[]": raw}
    resp = client.post(f"{SENDIP}.json", data=fields)
    check(resp, list_error_json(message))
    assert resp.content == (
        b'{"message":"error","errors":["Invalid IP address: <a&b>\\"\'\\/\\u0436'
        b'\\u00e9\\ud83d\\ude00"]}'
    )
    resp = client.post(f"{SENDIP}.xml", data=fields)
    check(resp, list_error_xml(message))
    assert (
        b"<error>Invalid IP address: &lt;a&amp;b&gt;&quot;&apos;/&#1078;\xe9&#128512;</error>"
        in resp.content
    )
    assert _parse(resp).findtext("errors/error") == message
    # Echoed in the call name: a C0 control character XML cannot carry becomes "?".
    resp = client.get(f"/apiv2/%3Cb%20c=%22d%22%3E.%D0%B6%01.xml?{_q(world)}")
    check(resp, list_error_xml('Unknown API call: <b c="d">.ж\x01'))
    assert b"<error>Unknown API call: &lt;b c=&quot;d&quot;&gt;.&#1078;?</error>" in resp.content
    assert _parse(resp).findtext("errors/error") == 'Unknown API call: <b c="d">.ж?'
    resp = client.get(f"/apiv2/%3Cb%3E.%01.json?{_q(world)}")
    check(resp, b'{"message":"error","errors":["Unknown API call: <b>.\\u0001"]}')


def test_bare_message_form(client: Client, world: World) -> None:
    """The third shape (docs/v2.md §2): customer.enable/disable naming a user that is not there."""
    before = world.snapshot()
    for call in ("customer.enable", "customer.disable"):
        for user in ("nobody", "erin", "ALICE"):  # erin is B's
            params = {**world.auth(), "user": user}
            check(client.get(f"/apiv2/{call}.json", params=params), b'{"message":"User not found"}')
            check(
                client.post(f"/apiv2/{call}.xml", data=params),
                xml_doc("<result>", "   <message>error: User not found</message>", "</result>"),
            )
    assert world.snapshot() == before


V2_STATUS = {
    "Unauthorized": 401,
    "MethodNotAllowed": 405,
    "TooLarge": 413,
    "NotFound": 404,
    "Invalid": 400,
    "Conflict": 400,
    "Forbidden": 400,
}


@pytest.mark.parametrize("cls", domain_errors.all_error_classes(), ids=lambda c: c.__name__)
@pytest.mark.parametrize("call", [None, "customer.enable", "customer.sendip"])
def test_every_error_class_renders_in_both_v2_forms(
    cls: type[domain_errors.IpfleetError], call: str | None
) -> None:
    """Each error class gets one of the three shapes from the one table, in JSON and XML."""
    exc = cls.__new__(cls)
    domain_errors.IpfleetError.__init__(exc, "what went wrong")
    err = to_v2(exc, call)
    kind = next(k for k in V2_STATUS if issubclass(cls, getattr(domain_errors, k)))
    bare = call == "customer.enable" and cls is domain_errors.SubuserNotFound
    assert err.status == (
        404 if bare else 400 if cls is domain_errors.SubuserNotFound else V2_STATUS[kind]
    )
    body = json.loads(php_json(err.json))
    if "errors" in body:
        assert body == {"message": "error", "errors": ["what went wrong"]}
    elif "error" in body:
        assert body["error"]["code"] == err.status
    else:
        assert bare
        assert body == {"message": "User not found"}
    root = ET.fromstring(xml_document(err.xml))
    assert root.tag == "result"
    assert root.findtext("message")
