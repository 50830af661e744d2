"""The dashboard's session cookie and chart, without a server: pure functions."""

from __future__ import annotations

import base64
import json

import pytest

from ipfleet.domain.states import IpState
from ipfleet.web.chart import BAR_AREA, utilisation
from ipfleet.web.render import number
from ipfleet.web.session import Role, Signer, anonymous, csrf_matches, signed_in

SIGNER = Signer(b"s" * 40, max_age_s=3600)


def test_a_session_survives_the_round_trip() -> None:
    session = signed_in(Role.OPERATOR, "ops жук", "tok")
    assert SIGNER.load(SIGNER.dump(session)) == session
    assert signed_in(Role.RESELLER, "a", "k").csrf != session.csrf  # a fresh token each time


@pytest.mark.parametrize(
    "value",
    ["", ".", "abc", "abc.def", "é.é", "x" * 5000, "W10.bad", "a.b.c"],
)
def test_malformed_cookies_are_no_session(value: str) -> None:
    assert SIGNER.load(value) is None


def test_a_validly_signed_payload_of_the_wrong_shape_is_no_session() -> None:
    for fields in ([], ["reseller"], ["king", "a", "k", "c", 1], ["reseller", "a", "k", "c", "x"]):
        payload = base64.urlsafe_b64encode(json.dumps(fields).encode()).rstrip(b"=").decode()
        assert SIGNER.load(f"{payload}.{SIGNER._mac(payload)}") is None


def test_sessions_expire_and_cannot_come_from_the_future() -> None:
    session = signed_in(Role.RESELLER, "a", "k")
    value = SIGNER.dump(session)
    assert SIGNER.load(value, now=session.issued + 3600) == session
    assert SIGNER.load(value, now=session.issued + 3601) is None
    assert SIGNER.load(value, now=session.issued - 10) is None


def test_the_csrf_token_must_be_the_sessions() -> None:
    session = anonymous()
    assert csrf_matches(session, session.csrf)
    assert not csrf_matches(session, "")
    assert not csrf_matches(session, session.csrf[:-1])
    assert not csrf_matches(session, "é" * 10)


def test_the_chart_of_an_empty_account_draws_empty_bars() -> None:
    chart = utilisation(dict.fromkeys(IpState, 0))
    assert [b.length for b in chart.bars] == [0, 0, 0]
    full = utilisation({IpState.ALL: 4, IpState.TAKEN: 1, IpState.FREE: 3, IpState.AVAILABLE: 4})
    assert [(b.state, b.percent) for b in full.bars] == [
        ("taken", 25.0),
        ("available", 100.0),
        ("free", 75.0),
    ]
    assert full.bars[1].length == BAR_AREA


def test_numbers_are_grouped() -> None:
    assert number(70000) == "70,000"
    assert number(None) == "-"
