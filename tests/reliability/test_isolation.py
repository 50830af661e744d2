"""Tenant isolation: B naming A's data on every route is refused or shown only B's, and
nothing changes (spec: DESIGN.md, "one account can never read or change another's data")."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import httpx

from ipfleet.domain.replay import State
from ipfleet.services.log_check import state_and_log
from tests.reliability import rel_figures
from tests.reliability.rel_attacks import (
    OWN,
    OWN_WRITE,
    REFUSED,
    Attack,
    all_attacks,
    public_attacks,
    v2_attacks,
    v3_attacks,
)
from tests.reliability.rel_registry import ROUTES, UI_BY_KEY
from tests.reliability.rel_shapes import verdict, visible_text
from tests.reliability.rel_ui import (
    move_an_ip_from_a_to_b,
    send_ui,
    sign_in_b,
    ui_attacks,
    ui_verdict,
)
from tests.reliability.rel_world import A, B, World
from tests.support.inprocess import Client

Snapshot = tuple[State, list[dict[str, Any]]]


def slice_of(snap: Snapshot, account: str, account_id: int) -> dict[str, Any]:
    """One account's part of the state, and its change-log rows."""
    state, log = snap
    return {
        "account": state["accounts"][account],
        "ips": {k: v for k, v in state["ips"].items() if v["account"] == account},
        "subusers": {k: v for k, v in state["subusers"].items() if v["account"] == account},
        "pools": state["pools"][account],
        "log": [r for r in log if r["account_id"] == account_id],
    }


def send(client: Client, world: World, attack: Attack, fmt: str, method: str) -> httpx.Response:
    """The attack as a real client would send it (v2 as GET query or POST form)."""
    route = attack.route
    if route.api == "v2":
        user, key = B, world.b.key
        if attack.auth.startswith("v2:"):
            _, user, key = attack.auth.split(":", 2)
        pairs = [("api_user", user), ("api_key", key), *attack.params]
        url = f"/apiv2/{route.path}.{fmt}"
        if method == "GET":
            return client.request("GET", f"{url}?{urlencode(pairs)}")
        form = {"content-type": "application/x-www-form-urlencoded"}
        return client.request("POST", url, content=urlencode(pairs), headers=form)
    headers: dict[str, Any] = {k: v.encode() for k, v in attack.headers.items()}
    if attack.auth == "b":
        headers["authorization"] = f"Bearer {world.b.key}"
    elif attack.auth.startswith("bearer:"):
        headers["authorization"] = f"Bearer {attack.auth.removeprefix('bearer:')}"
    body = None
    if attack.json is not None:
        body = json.dumps(attack.json)
        headers["content-type"] = "application/json"
    url = attack.path + (f"?{urlencode(attack.params)}" if attack.params else "")
    return client.request(route.method, url, content=body, headers=headers)


def test_every_route_has_attacks_naming_the_other_tenants_data() -> None:
    targeted = {a.route.key for a in [*v2_attacks(), *v3_attacks(["k"]), *public_attacks()]}
    missing = sorted(r.key for r in ROUTES if r.key not in targeted)
    assert not missing, f"routes without isolation attacks in rel_attacks.py: {missing}"


def judge(
    where: str,
    expect: str,
    is_error: bool,
    resp: httpx.Response,
    request_text: str,
    world: World,
    states: tuple[Snapshot, Snapshot],
) -> list[str]:
    """What is wrong with one attack's answer: refused or not as expected, A's data shown
    (beyond what B itself sent), or data changed that the attack had no right to change."""
    failures = []
    if expect == REFUSED and not is_error:
        failures.append(f"{where}: not refused: {resp.status_code} {resp.text[:200]}")
    if expect in (OWN, OWN_WRITE) and is_error:
        failures.append(f"{where}: B's own request failed: {resp.status_code} {resp.text[:200]}")
    text = visible_text(resp)
    leaked = sorted(s for s in world.secrets_of_a() if s in text and s not in request_text)
    if leaked:
        failures.append(f"{where}: shows A's {leaked}")
    before, after = states
    if expect == OWN_WRITE:
        a_id = world.a.account.id
        if slice_of(after, A, a_id) != slice_of(before, A, a_id):
            failures.append(f"{where}: A's data changed")
    elif after != before:
        failures.append(f"{where}: the data changed")
    return failures


def test_tenant_b_cannot_reach_tenant_a(client: Client, world: World) -> None:
    before = state_and_log(world.db)
    failures: list[str] = []
    tried = 0
    for attack in all_attacks(world):
        variants = (
            [("json", "GET"), ("xml", "POST")] if attack.route.api == "v2" else [("json", "")]
        )
        for fmt, method in variants:
            resp = send(client, world, attack, fmt, method)
            tried += 1
            where = f"{attack.route.key} [{attack.what}] {fmt} {method}"
            try:
                is_error = verdict(attack.route, resp, fmt)
            except AssertionError as exc:
                failures.append(f"{where}: {exc}")
                continue
            after = state_and_log(world.db)
            failures += judge(where, attack.expect, is_error, resp, attack.request_text, world,
                              (before, after))  # fmt: skip
            before = after
            rel_figures.covered("isolation", attack.route.key)
    rel_figures.add("isolation requests", tried)
    rel_figures.add("violations", len(failures))
    assert not failures, "\n".join(failures)
    assert before[0]["accounts"].keys() == {A, B}


def test_every_dashboard_route_has_attacks() -> None:
    targeted = {a.route.key for a in ui_attacks()}
    missing = sorted(set(UI_BY_KEY) - targeted)
    assert not missing, f"/ui routes without isolation attacks in rel_ui.py: {missing}"


def test_tenant_b_cannot_reach_tenant_a_through_the_dashboard(client: Client, world: World) -> None:
    move_an_ip_from_a_to_b(world)
    csrf = sign_in_b(client, world)
    before = state_and_log(world.db)
    failures: list[str] = []
    for attack in ui_attacks():
        where = f"{attack.route.key} [{attack.what}]"
        resp = send_ui(client, world, attack, csrf)
        if attack.ends_bs_session:
            csrf = sign_in_b(client, world)
        try:
            is_error = ui_verdict(attack, resp)
        except AssertionError as exc:
            failures.append(f"{where}: {exc}")
            continue
        after = state_and_log(world.db)
        failures += judge(where, attack.expect, is_error, resp, attack.request_text, world,
                          (before, after))  # fmt: skip
        before = after
        rel_figures.covered("isolation", attack.route.key)
    rel_figures.add("dashboard isolation requests", len(ui_attacks()))
    assert not failures, "\n".join(failures)
