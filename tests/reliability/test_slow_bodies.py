"""Slow, broken and unsent bodies against a real server (issue 12): a trickled upload is
cut with a 408 long before it ends; a malformed chunked body is a 400 in each API's shape;
v2 credentials in the query string are checked before the body is read; slow uploads
cannot take the slots that quick reads need."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest

from ipfleet.store.uow import Database
from tests.reliability import rel_figures
from tests.reliability.rel_load import ACCOUNT, Fleet, seed_fleet
from tests.reliability.rel_raw import connect, head, read_answer, send_raw, trickle
from tests.support.server import Server, serving

pytestmark = pytest.mark.e2e
BROKEN_CHUNKS = b"zz\r\nabc\r\n0\r\n\r\n"


@pytest.fixture
def fleet_server(db_url: str) -> Iterator[tuple[Server, Fleet]]:
    db = Database(db_url)
    fleet = seed_fleet(db)
    db.dispose()
    env = {"IPFLEET_V2_HTTP_ERRORS": "true", "IPFLEET_MAX_IN_FLIGHT": "6"}
    with serving(db_url, env=env) as server:
        yield server, fleet


def v2_query(fleet: Fleet, **more: str) -> str:
    return urlencode({"api_user": ACCOUNT, "api_key": fleet.key, **more})


def test_a_trickled_body_is_cut_with_a_408_before_it_ends(
    fleet_server: tuple[Server, Fleet],
) -> None:
    server, fleet = fleet_server
    form = v2_query(fleet, list="all").encode()
    ctype = "application/x-www-form-urlencoded"
    v2_head = head(
        "POST", "/apiv2/customer.ip.json", {"Content-Type": ctype, "Content-Length": str(len(form))}
    )
    answer, sent = trickle(server.base, v2_head, form)
    assert answer.status == 408, answer
    assert answer.json() == {"message": "error", "errors": ["Request body not received in time"]}
    # One byte a second: the old per-chunk timer never fired; now the cut comes within 30 s.
    assert sent < min(len(form), 30), sent
    body = json.dumps({"name": "trickled-pool-name"}).encode()
    v3_head = head(
        "POST",
        "/v3/ips/pools",
        {
            "Authorization": f"Bearer {fleet.key}",
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
        },
    )
    answer, sent = trickle(server.base, v3_head, body)
    assert answer.status == 408, answer
    assert answer.json()["errors"][0]["message"] == "Request body not received in time"
    assert sent < len(body)
    rel_figures.add("trickled bodies cut", 2)


def test_a_malformed_chunked_body_is_a_400_in_each_apis_shape(
    fleet_server: tuple[Server, Fleet],
) -> None:
    server, fleet = fleet_server
    chunked = {"Transfer-Encoding": "chunked"}
    v2 = send_raw(
        server.base,
        head(
            "POST",
            "/apiv2/customer.ip.json?list=all",
            {**chunked, "Content-Type": "application/x-www-form-urlencoded"},
        )
        + BROKEN_CHUNKS,
    )
    assert v2.status == 400, v2
    assert v2.json() == {"message": "error", "errors": ["Malformed or incomplete request body"]}
    v3 = send_raw(
        server.base,
        head(
            "POST",
            "/v3/ips/pools",
            {**chunked, "Authorization": f"Bearer {fleet.key}", "Content-Type": "application/json"},
        )
        + BROKEN_CHUNKS,
    )
    assert v3.status == 400, v3
    assert v3.json() == {
        "errors": [{"field": None, "message": "Malformed or incomplete request body"}]
    }
    rel_figures.add("malformed chunked bodies", 2)


def test_v2_credentials_in_the_query_are_checked_before_the_body(
    fleet_server: tuple[Server, Fleet],
) -> None:
    server, fleet = fleet_server
    wrong = urlencode({"api_user": ACCOUNT, "api_key": fleet.key[:-1] + "x"})
    announced = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "1000"}
    with connect(server.base) as sock:
        sock.sendall(head("POST", f"/apiv2/customer.ip.json?{wrong}", announced))
        answer = read_answer(sock, timeout=10)  # not a byte of the 1000 sent
    assert answer.status == 401, answer
    assert answer.json() == {
        "error": {"code": 401, "message": "Permission denied, wrong credentials"}
    }


def test_slow_uploads_cannot_take_the_slots_of_quick_reads(
    fleet_server: tuple[Server, Fleet],
) -> None:
    server, fleet = fleet_server
    announced = {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "500"}
    slow = [connect(server.base) for _ in range(3)]  # 6 slots: 3 for uploads
    try:
        for sock in slow:
            sock.sendall(head("POST", "/apiv2/customer.ip.json", announced) + b"a")
        threading.Event().wait(0.3)
        refused = send_raw(
            server.base, head("POST", "/apiv2/customer.ip.json", announced) + b"x" * 500
        )
        assert refused.status == 503, refused
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["errors"] == ["Server busy; retry later"]
        read = httpx.get(f"{server.base}/apiv2/customer.ip.json?{v2_query(fleet, list='all')}")
        assert read.status_code == 200, read.text
    finally:
        for sock in slow:
            sock.close()
