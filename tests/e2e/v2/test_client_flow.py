"""A reseller's client flow over real HTTP, as scripts written against SendGrid do it:
customer.add -> customer.ip list=free -> customer.sendip task=append set=specify ->
customer.enable -> customer.profile task=get, in JSON and in XML, curl-shaped requests."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET

import httpx
import pytest

from ipfleet.domain.records import Actor
from ipfleet.services.accounts import get_account
from ipfleet.services.subusers import list_subusers
from ipfleet.store.uow import Database
from tests.support.seed import make_account
from tests.support.v2_bodies import JSON_TYPE, SUCCESS_XML, USER_KEYS, XML_TYPE

pytestmark = pytest.mark.e2e

ACTOR = Actor(name="tests:e2e-reseller", request_id="e2e-seed")
ACCOUNT = "acme-reseller"
PASSWORD = "Pa55word!"
CURL = shutil.which("curl")


def curl(url: str, fields: list[tuple[str, str]]) -> tuple[int, str, bytes]:
    """``curl -X POST URL -d name=value ...``: status, content type and body."""
    args = [
        CURL or "curl",
        "-sS",
        "-X",
        "POST",
        url,
        "-o",
        "-",
        "-w",
        "\n%{http_code} %{content_type}",
    ]
    for name, value in fields:
        args += ["-d", f"{name}={value}"]
    out = subprocess.run(args, capture_output=True, check=True, timeout=30).stdout
    body, _, meta = out.rpartition(b"\n")
    status, _, ctype = meta.decode().partition(" ")
    return int(status), ctype, body


def post_fields(
    base: str, call: str, auth: list[tuple[str, str]], fields: list[tuple[str, str]]
) -> tuple[int, str, bytes]:
    """POST form fields with real curl when there is one, else with httpx."""
    url = f"{base}/apiv2/{call}"
    if CURL:
        return curl(url, [*auth, *fields])
    data: dict[str, list[str]] = {}
    for name, value in [*auth, *fields]:
        data.setdefault(name, []).append(value)
    resp = httpx.post(url, data=data)
    return resp.status_code, resp.headers["content-type"], resp.content


@pytest.fixture
def credentials(db: Database) -> list[tuple[str, str]]:
    acct = make_account(db, ACCOUNT, ["2001:db8::1", "192.0.2.10", "192.0.2.9"], actor=ACTOR)
    return [("api_user", acct.name), ("api_key", acct.key)]


def test_client_flow_json_then_xml(
    bare_server: str, db: Database, credentials: list[tuple[str, str]]
) -> None:
    auth = dict(credentials)
    http = httpx.Client(base_url=f"{bare_server}/apiv2", timeout=30)
    try:
        # ---- JSON: alice
        resp = http.post(
            "/customer.add.json",
            data={
                **auth,
                "username": "alice",
                "password": PASSWORD,
                "confirm_password": PASSWORD,
                "email": "alice@example.com",
                "first_name": "Alice",
                "website": "http://alice.example",
            },
        )
        assert (resp.status_code, resp.headers["content-type"]) == (200, JSON_TYPE)
        assert resp.content == b'{"message":"success"}'

        resp = http.get("/customer.ip.json", params={**auth, "list": "free"})
        assert resp.content == b'[{"ip":"192.0.2.9"},{"ip":"192.0.2.10"},{"ip":"2001:db8::1"}]'

        status, ctype, body = post_fields(
            bare_server,
            "customer.sendip.json",
            credentials,
            [
                ("task", "append"),
                ("set", "specify"),
                ("user", "alice"),
                ("ip[]", "192.0.2.10"),
                ("ip[]", "2001:db8::1"),
            ],
        )
        assert (status, ctype, body) == (200, JSON_TYPE, b'{"message":"success"}')

        for call in ("customer.disable.json", "customer.enable.json"):
            resp = http.get(f"/{call}", params={**auth, "user": "alice"})
            assert resp.content == b'{"message":"success"}', call

        resp = http.get("/customer.profile.json", params={**auth, "task": "get"})
        assert resp.content == (
            b'[{"username":"alice","email":"alice@example.com","active":"true",'
            b'"first_name":"Alice","last_name":"","address":"","address2":"","city":"",'
            b'"state":"","zip":"","country":"","phone":"","website":"http:\\/\\/alice.example",'
            b'"website_access":"true","company":""}]'
        )
        listed = http.get("/customer.sendip.json", params={**auth, "task": "list", "user": "alice"})
        assert listed.json()["ips"] == [{"ip": "192.0.2.10"}, {"ip": "2001:db8::1"}]

        # ---- XML: bob, PHP-style indexed arrays in the query string
        resp = http.post(
            "/customer.add.xml",
            data={
                **auth,
                "username": "bob",
                "password": PASSWORD,
                "confirm_password": PASSWORD,
                "email": "bob@example.com",
            },
        )
        assert (resp.status_code, resp.headers["content-type"]) == (200, XML_TYPE)
        assert resp.content == SUCCESS_XML

        resp = http.get("/customer.ip.xml", params={**auth, "list": "free"})
        root = ET.fromstring(resp.content)
        assert (root.tag, [e.text for e in root.findall("ip")]) == ("ips", ["192.0.2.9"])

        query = f"api_user={ACCOUNT}&api_key={auth['api_key']}&task=append&set=specify"
        query += "&user=bob&ip%5B0%5D=192.0.2.9&ip%5B1%5D=192.0.2.10"
        resp = http.get(f"/customer.sendip.xml?{query}")
        assert resp.content == SUCCESS_XML

        resp = http.post("/customer.enable.xml", data={**auth, "user": "bob"})
        assert ET.fromstring(resp.content).findtext("message") == "success"

        status, ctype, body = post_fields(
            bare_server, "customer.profile.xml", credentials, [("task", "get"), ("username", "bob")]
        )
        assert (status, ctype) == (200, XML_TYPE)
        users = ET.fromstring(body)
        assert users.tag == "users"
        [bob] = users.findall("user")
        assert tuple(child.tag for child in bob) == USER_KEYS
        assert (bob.findtext("username"), bob.findtext("email"), bob.findtext("active")) == (
            "bob",
            "bob@example.com",
            "true",
        )

        resp = http.get("/reseller.ip.xml", params={**auth, "task": "usage"})
        entries = [(e.findtext("ip"), e.findtext("user")) for e in ET.fromstring(resp.content)]
        assert entries == [
            ("192.0.2.9", "bob"),
            ("192.0.2.10", "alice"),
            ("192.0.2.10", "bob"),
            ("2001:db8::1", "alice"),
        ]
        resp = http.post("/customer.auth.json", data={**auth, "user": "bob", "password": PASSWORD})
        assert resp.content == b'{"message":"success"}'
    finally:
        http.close()

    # What the server wrote is in the database.
    held = {
        v.subuser.username: (v.subuser.active, v.ips)
        for v in list_subusers(db, account=get_account(db, username=ACCOUNT))
    }
    assert held == {
        "alice": (True, ["192.0.2.10", "2001:db8::1"]),
        "bob": (True, ["192.0.2.9", "192.0.2.10"]),
    }
