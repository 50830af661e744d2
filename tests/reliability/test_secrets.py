"""Secrets: API keys and passwords never appear in the server's logs, in error bodies or in
the database in clear; keys are compared in constant time whatever is wrong with them."""

from __future__ import annotations

import contextlib
import hmac
import secrets
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import select

from ipfleet.domain.errors import BadCredentials
from ipfleet.services import authentication
from ipfleet.services.authentication import authenticate_bearer
from ipfleet.store.tables import metadata
from ipfleet.store.uow import Database
from tests.reliability import rel_figures
from tests.reliability.rel_load import ACCOUNT, seed_fleet
from tests.support.server import serving

pytestmark = pytest.mark.e2e


def forged(key: str) -> str:
    """The same key id with another secret: the shape is right, the secret is not."""
    return key.rsplit(".", 1)[0] + "." + secrets.token_urlsafe(32)


def every_row(db: Database) -> str:
    with db.engine.connect() as conn:
        return "\n".join(
            repr(tuple(r)) for t in metadata.sorted_tables for r in conn.execute(select(t))
        )


def traffic(base: str, key: str, password: str) -> list[tuple[httpx.Response, set[str]]]:
    """Requests carrying secrets, right and wrong; each with the secrets its answer may show."""
    wrong_key, new_password = forged(key), password + "-new"
    v2 = f"{base}/apiv2"
    form = {"content-type": "application/x-www-form-urlencoded"}
    out: list[tuple[httpx.Response, set[str]]] = []

    def v2_call(call: str, user: str, api_key: str, *pairs: tuple[str, str]) -> None:
        body = urlencode([("api_user", user), ("api_key", api_key), *pairs])
        out.append((httpx.post(f"{v2}/{call}", content=body, headers=form), set()))
        query = urlencode([("api_user", user), ("api_key", api_key), *pairs])
        out.append((httpx.get(f"{v2}/{call}?{query}"), set()))

    v2_call("customer.ip.json", ACCOUNT, key, ("list", "all"))
    v2_call("customer.ip.xml", ACCOUNT, wrong_key, ("list", "all"))
    v2_call("customer.ip.json", "nobody", key, ("list", "all"))
    v2_call(
        "customer.add.json",
        ACCOUNT,
        key,
        ("username", "sx"),
        ("password", password),
        ("confirm_password", password),
        ("email", "sx@x.example"),
    )
    v2_call(
        "customer.password.xml",
        ACCOUNT,
        key,
        ("user", "sx"),
        ("password", new_password),
        ("confirm_password", new_password + "x"),
    )
    v2_call("customer.auth.json", ACCOUNT, key, ("user", "sx"), ("password", new_password))
    v2_call("customer.auth.json", ACCOUNT, key, ("user", "sx"), ("password", password))
    bearer = {"authorization": f"Bearer {key}"}
    for auth in (bearer, {"authorization": f"Bearer {wrong_key}"}, {"authorization": key}):
        out.append((httpx.get(f"{base}/v3/ips", headers=auth), set()))
    body = {"username": "sy", "email": "sy@x.example", "password": password, "ips": ["10.20.0.1"]}
    out.append((httpx.post(f"{base}/v3/subusers", json=body, headers=bearer), set()))
    out.append((httpx.post(f"{base}/v3/subusers", json=body, headers=bearer), set()))
    made = httpx.post(f"{base}/v3/api_keys", json={"name": "rotated"}, headers=bearer)
    new_key = made.json()["api_key"]
    out.append((made, {new_key, new_key.rsplit(".", 1)[1]}))  # shown once, to its creator
    out.append(
        (httpx.get(f"{base}/v3/api_keys", headers={"authorization": f"Bearer {new_key}"}), set())
    )
    return out


def test_secrets_never_reach_logs_error_bodies_or_the_database(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    fleet = seed_fleet(db)
    password = "pw-" + secrets.token_urlsafe(12)
    try:
        with serving(sqlite_url, env={"IPFLEET_LOG_LEVEL": "debug"}) as server:
            answers = traffic(server.base, fleet.key, password)
            server.stop()
            log = server.log_text()
        assert "ipfleet serving on" in log  # the log was captured
        sent = {fleet.key, fleet.key.rsplit(".", 1)[1], password, password + "-new"}
        hunted = sent.union(*(allowed for _, allowed in answers))
        found_in_log = sorted(s for s in hunted if s in log)
        assert not found_in_log, f"secrets in the server log: {found_in_log}"
        for resp, allowed in answers:
            assert resp.status_code < 500, resp.text
            shown = {s for s in hunted if s in resp.text} - allowed
            assert not shown, f"{resp.request.url}: answer shows {shown}"
        in_db = sorted(s for s in hunted if s in every_row(db))
        assert not in_db, f"secrets stored in clear: {in_db}"
        rel_figures.add("secret-bearing requests checked", len(answers))
    finally:
        db.dispose()


def test_every_key_check_costs_one_constant_time_comparison(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    fleet = seed_fleet(db)
    calls: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def counting(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(authentication.hmac, "compare_digest", counting)
    cases = {
        "right key": fleet.key,
        "forged secret": forged(fleet.key),
        "unknown key id": forged("SG." + "A" * 22 + ".x"),
        "malformed": "SG.short.key",
        "not a key": "password123",
    }
    for what, key in cases.items():
        calls.clear()
        try:
            authentication.authenticate(db, username=ACCOUNT, api_key=key)
            ok = True
        except BadCredentials:
            ok = False
        assert ok is (what == "right key"), what
        assert len(calls) == 1, f"{what}: {len(calls)} comparisons"
        assert all(len(x) == 64 and len(y) == 64 for x, y in calls), what
        calls.clear()
        with pytest.raises(BadCredentials) if what != "right key" else contextlib.nullcontext():
            authenticate_bearer(db, api_key=key, on_behalf_of=None)
        assert len(calls) == 1, f"bearer {what}: {len(calls)} comparisons"
