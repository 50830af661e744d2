"""The dashboard in process, on both backends: sessions, CSRF, headers, pages and forms.

The browser tests (tests/e2e/ui/test_ui_browser.py) cover what a person sees in Chromium;
these cover the rules around it, fast, one request at a time.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

import pytest

from ipfleet.domain.states import IpState
from ipfleet.services.accounts import get_account
from ipfleet.services.keys import create_key, revoke_key
from ipfleet.services.operators import create_operator, revoke_operator, session_secret
from ipfleet.services.subusers import subuser_ips
from ipfleet.web.app import CSP
from ipfleet.web.session import COOKIE, Role, Signer, signed_in
from tests.support.inprocess import Client
from tests.support.seed import SEEDER
from tests.support.ui import csrf_of, operator_sign_in, sign_in
from tests.support.v2_world import A_ALL, A_AVAILABLE, A_FREE, A_TAKEN, ODD_NAME, A, B, World

DAVE = ["192.0.2.100", "2001:db8::10"]
B_IP = "198.51.100.1"
PAGES = ["/ui/", "/ui/ips", "/ui/ips/192.0.2.9", "/ui/subusers", "/ui/subusers/alice"]


@pytest.fixture
def a(client: Client, world: World) -> tuple[Client, str]:
    """A client signed in as account A, and its CSRF token."""
    return client, sign_in(client, A, world.keys[A])


def test_every_page_needs_a_signed_in_reseller(client: Client) -> None:
    for path in [*PAGES, "/ui/operator"]:
        resp = client.get(path)
        assert resp.status_code == 303, path
        assert resp.headers["location"] == "/ui/login"


def test_pages_carry_the_security_headers_and_the_stylesheet_is_served(client: Client) -> None:
    resp = client.get("/ui/login")
    assert resp.headers["content-security-policy"] == CSP
    assert "script-src" not in CSP
    assert "'unsafe-inline'" not in CSP
    assert resp.headers["x-frame-options"] == "DENY"
    assert resp.headers["x-content-type-options"] == "nosniff"
    cookie = resp.headers["set-cookie"]
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/ui"):
        assert attribute in cookie
    css = client.get("/ui/static/app.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert client.get("/ui/static/nothing.js").status_code == 404


def test_wrong_credentials_say_so_next_to_the_field(client: Client, world: World) -> None:
    token = csrf_of(client.get("/ui/login").text)
    for user, key in [(A, world.keys[B]), (A, world.revoked_key), (A, ""), ("", "")]:
        resp = client.post("/ui/login", data={"csrf": token, "api_user": user, "api_key": key})
        assert resp.status_code == 401
        assert 'id="api_key_error">Wrong user name or API key<' in resp.text
    assert client.get("/ui/").status_code == 303


def test_sign_in_without_the_forms_token_is_refused(client: Client, world: World) -> None:
    client.get("/ui/login")
    resp = client.post("/ui/login", data={"api_user": A, "api_key": world.keys[A]})
    assert resp.status_code == 403
    assert client.get("/ui/").status_code == 303


def test_the_overview_counts_are_the_v2_states(a: tuple[Client, str]) -> None:
    client, _ = a
    html = client.get("/ui/").text
    expected = {"all": A_ALL, "free": A_FREE, "taken": A_TAKEN, "available": A_AVAILABLE}
    for state, ips in expected.items():
        assert f'id="count-{state}" data-count="{len(ips)}"' in html
    assert "chart-taken" in html


def test_ips_are_paged_in_numeric_order_and_filtered_by_state(a: tuple[Client, str]) -> None:
    client, _ = a
    for state, ips in ((IpState.ALL, A_ALL), (IpState.AVAILABLE, A_AVAILABLE)):
        shown: list[str] = []
        for page in (1, 2, 3, 4):
            html = client.get(f"/ui/ips?state={state.value}&size=25&page={page}").text
            shown += re.findall(r'class="addr"><a href="/ui/ips/[^"]+">([^<]+)</a>', html)
        assert shown[: len(ips)] == ips  # pages past the last show the last one again
    html = client.get("/ui/ips?state=nonsense&size=7&page=-3").text
    assert 'data-total="9"' in html
    assert client.get("/ui/ips/2001%3Adb8%3A%3Aa").status_code == 200


def test_odd_names_are_escaped(a: tuple[Client, str]) -> None:
    client, _ = a
    html = client.get("/ui/subusers").text
    assert "&lt;&amp;&gt;&#34;&#39;жук" in html
    assert ODD_NAME not in html
    link = re.search(r'href="(/ui/subusers/%3C[^"]+)"', html)
    assert link
    page = client.get(link.group(1).replace("&amp;", "&"))
    assert page.status_code == 200
    assert "<h1>&lt;&amp;&gt;&#34;&#39;жук</h1>" in page.text


def _set(client: Client, csrf: str, user: str, **form: Any) -> Any:
    return client.post(f"/ui/subusers/{user}", data={"csrf": csrf, **form})


def test_the_set_form_is_v2_sendip(a: tuple[Client, str], world: World) -> None:
    client, csrf = a
    account = get_account(world.db, username=A)
    resp = _set(client, csrf, "dave", mode="specify", ip=["2001:db8::10", "192.0.2.100"])
    assert resp.status_code == 303
    assert resp.headers["location"] == "/ui/subusers/dave?saved=1"
    assert subuser_ips(world.db, account=account, username="dave") == [
        "192.0.2.100",
        "2001:db8::10",
    ]
    refusals = {
        "IP address is not on your account: 198.51.100.1": {
            "mode": "specify",
            "ip": "198.51.100.1",
        },
        "Invalid IP address: nonsense": {"mode": "specify", "ip": "nonsense"},
        "The ip parameter is not allowed with set=none": {"mode": "none", "ip": "192.0.2.9"},
        "Invalid set parameter": {"mode": "some"},
    }
    for message, form in refusals.items():
        resp = _set(client, csrf, "dave", **form)
        assert resp.status_code == 400, message
        assert f"<p>{escape(message)}</p>" in resp.text
    assert subuser_ips(world.db, account=account, username="dave") == [
        "192.0.2.100",
        "2001:db8::10",
    ]
    assert _set(client, csrf, "dave", mode="all").status_code == 303
    assert subuser_ips(world.db, account=account, username="dave") == A_ALL


def test_activate_and_deactivate(a: tuple[Client, str]) -> None:
    client, csrf = a
    resp = client.post("/ui/subusers/alice/active", data={"csrf": csrf, "active": "0"})
    assert resp.status_code == 303
    assert 'id="status">deactivated<' in client.get("/ui/subusers/alice").text
    bad = client.post("/ui/subusers/alice/active", data={"csrf": csrf, "active": "maybe"})
    assert bad.status_code == 400


def test_a_forged_or_missing_csrf_token_changes_nothing(
    a: tuple[Client, str], world: World
) -> None:
    client, csrf = a
    before = world.snapshot()
    for form in ({}, {"csrf": ""}, {"csrf": csrf + "x"}, {"csrf": [csrf, csrf]}):
        resp = client.post("/ui/subusers/alice", data={**form, "mode": "none"})
        assert resp.status_code == 403
        resp = client.post("/ui/subusers/alice/active", data={**form, "active": "0"})
        assert resp.status_code == 403
    assert world.snapshot() == before


def test_a_tampered_or_expired_session_is_no_session(a: tuple[Client, str], world: World) -> None:
    client, _ = a
    value = client.http.cookies[COOKIE]
    payload, mac = value.split(".")
    client.http.cookies.set(COOKIE, f"{payload}.{mac[::-1]}", path="/ui")
    assert client.get("/ui/").status_code == 303
    signer = Signer(session_secret(world.db, configured=None), 3600)
    session = signed_in(Role.RESELLER, A, world.keys[A].split(".")[1])
    assert signer.load(signer.dump(session)) == session
    assert signer.load(signer.dump(session), now=session.issued + 3601) is None
    assert Signer(b"another secret", 3600).load(signer.dump(session)) is None


def test_revoking_the_key_ends_the_session(a: tuple[Client, str], world: World) -> None:
    client, _ = a
    assert client.get("/ui/").status_code == 200
    key_id = world.keys[A].split(".")[1]
    create_key(world.db, account=get_account(world.db, username=A), name="spare", actor=SEEDER)
    revoke_key(world.db, account=get_account(world.db, username=A), key_id=key_id, actor=SEEDER)
    assert client.get("/ui/").status_code == 303


def test_the_session_secret_is_made_once_and_kept(world: World) -> None:
    first = session_secret(world.db, configured=None)
    assert session_secret(world.db, configured=None) == first
    assert len(first) >= 32
    assert session_secret(world.db, configured="k" * 40) == b"k" * 40


def test_operators_see_the_inventory_and_set_quotas(client: Client, world: World) -> None:
    token = create_operator(world.db, name="ops", actor=SEEDER)
    csrf = operator_sign_in(client, token)
    html = client.get("/ui/operator").text
    assert escape(B) in html
    assert client.get("/ui/").status_code == 303  # a reseller page is not the operator's
    resp = client.post(f"/ui/operator/accounts/{A}/quota", data={"csrf": csrf, "quota": "12"})
    assert resp.status_code == 303
    assert get_account(world.db, username=A).ip_quota == 12
    resp = client.post(f"/ui/operator/accounts/{A}/quota", data={"csrf": csrf, "quota": "-1"})
    assert resp.status_code == 400
    assert "The quota must be a whole number" in resp.text
    resp = client.post(f"/ui/operator/accounts/{A}/take", data={"csrf": csrf, "count": "5"})
    assert resp.status_code == 400
    assert "Cannot take 5 IPs: the quota of reseller-a allows 3 more" in resp.text
    resp = client.post("/ui/operator/accounts/nobody/take", data={"csrf": csrf, "count": "1"})
    assert resp.status_code == 404
    revoke_operator(world.db, name="ops", actor=SEEDER)
    assert client.get("/ui/operator").status_code == 303


def test_a_wrong_operator_token_is_refused(client: Client, world: World) -> None:
    token = create_operator(world.db, name="ops", actor=SEEDER)
    csrf = csrf_of(client.get("/ui/login").text)
    for wrong in (token[:-1] + "x", "", "ipfop.nonsense"):
        resp = client.post("/ui/operator/login", data={"csrf": csrf, "token": wrong})
        assert resp.status_code == 401
        assert "Wrong operator token" in resp.text


def test_sign_out(a: tuple[Client, str]) -> None:
    client, csrf = a
    assert client.post("/ui/logout", data={}).status_code == 403
    resp = client.post("/ui/logout", data={"csrf": csrf})
    assert resp.status_code == 303
    assert client.get("/ui/").status_code == 303


def test_unknown_pages_and_methods_are_pages_not_500s(a: tuple[Client, str]) -> None:
    client, _ = a
    assert client.get("/ui/nothing").status_code == 404
    assert client.get("/ui/subusers/nobody").status_code == 404
    assert client.get("/ui/ips/300.1.1.1").status_code == 400
    assert client.request("DELETE", "/ui/subusers/alice").status_code == 405


def test_failed_sign_ins_count_against_the_apis_limits(world: World, make_client: Any) -> None:
    """The dashboard and v2 share one window per name: two wrong v2 keys and one wrong
    sign-in for A pass the limit of 3 with the next sign-in, even with the right key."""
    client = make_client(auth_failures_per_name=3, auth_failures_per_client=100)
    for _ in range(2):
        wrong = client.get("/apiv2/customer.ip.json", params={"api_user": A, "api_key": "x"})
        assert "error" in wrong.json()  # v2's bad-credentials body
    token = csrf_of(client.get("/ui/login").text)
    bad = {"csrf": token, "api_user": A, "api_key": world.keys[B]}
    assert client.post("/ui/login", data=bad).status_code == 401
    assert client.post("/ui/login", data=bad).status_code == 429
    right = {"csrf": token, "api_user": A, "api_key": world.keys[A]}
    refused = client.post("/ui/login", data=right)
    assert refused.status_code == 429
    assert "Too many failed authentications" in refused.text
    assert client.get("/ui/").status_code == 303  # not signed in
    # Another account's sign-in is not held up by A's failures.
    assert (
        client.post(
            "/ui/login", data={"csrf": token, "api_user": B, "api_key": world.keys[B]}
        ).status_code
        == 303
    )
