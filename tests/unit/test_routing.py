"""The routing rule (domain.routing) and the data plane's names (domain.sending), pure."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfleet.domain.errors import BadMailDomain, BadMtaName
from ipfleet.domain.routing import (
    Holder,
    Rule,
    SendingIp,
    Verdict,
    effective_ips,
    route,
    sender_domain,
    transport_name,
)
from ipfleet.domain.sending import canonical_mail_domain, check_mta_name

MTAS = st.sampled_from(["mta1", "mta2", None])
IPS = st.builds(
    SendingIp,
    address=st.sampled_from([f"192.0.2.{n}" for n in range(1, 9)] + ["2001:db8::1"]),
    mta=MTAS,
    hostname=st.none(),
    enabled=st.booleans(),
    parent_assigned=st.booleans(),
)


@st.composite
def holders(draw: st.DrawFn) -> Holder:
    account_ips = tuple({ip.address: ip for ip in draw(st.lists(IPS, max_size=8))}.values())
    held = tuple(ip for ip in account_ips if draw(st.booleans()))
    subuser = draw(st.sampled_from([None, "alice"]))
    active = True if subuser is None else draw(st.booleans())
    return Holder("acme", subuser, active, held if subuser else (), account_ips)


ASKING = st.sampled_from(["mta1", "mta2"])


@given(holders(), ASKING)
def test_a_send_uses_only_enabled_ips_of_the_asking_mta_within_the_holders_set(
    holder: Holder, mta: str
) -> None:
    decision = route("news@em.example", mta, holder)
    if decision.verdict is Verdict.SEND:
        allowed = holder.held or holder.account_ips
        assert decision.ips
        assert all(ip.enabled and ip.mta == mta and ip in allowed for ip in decision.ips)
        if holder.subuser is None:  # the account's own mail: its parent-assigned IPs only
            assert all(ip.parent_assigned for ip in decision.ips)
    else:
        assert decision.ips == ()


@given(holders(), ASKING)
def test_the_outcome_follows_from_the_effective_set(holder: Holder, mta: str) -> None:
    decision = route("x@em.example", mta, holder)
    rule, ips = effective_ips(holder, mta)
    if not holder.active:
        assert (decision.verdict, decision.rule) == (Verdict.DEFER, Rule.DEACTIVATED)
        assert decision.reason == "sender is deactivated"
    elif not ips:
        assert (decision.verdict, decision.rule) == (Verdict.DEFER, Rule.NO_IP_ON_MTA)
        assert decision.reason == f"sender has no sending IP on {mta}"
    else:
        assert (decision.verdict, decision.rule, decision.ips) == (Verdict.SEND, rule, ips)
    expected_rule = (
        Rule.ACCOUNT_DOMAIN
        if holder.subuser is None
        else Rule.SUBUSER_SET
        if holder.held
        else Rule.EMPTY_SET
    )
    assert rule is expected_rule


@given(holders(), ASKING)
def test_a_deactivated_subuser_never_sends(holder: Holder, mta: str) -> None:
    sub = Holder(holder.account, "bob", False, holder.held, holder.account_ips)
    assert route("x@em.example", mta, sub).verdict is Verdict.DEFER


@given(holders(), ASKING, st.sampled_from(["<>", "", "  ", "postmaster", "x@", "x@[192.0.2.1]"]))
def test_no_domain_is_no_match(holder: Holder, mta: str, sender: str) -> None:
    decision = route(sender, mta, holder)
    assert (decision.verdict, decision.rule, decision.holder) == (
        Verdict.NO_MATCH,
        Rule.NO_MATCH,
        None,
    )


def test_a_disabled_ip_is_never_chosen_and_a_subuser_keeps_unassigned_ones() -> None:
    on = SendingIp("192.0.2.1", "mta1", None)
    off = SendingIp("192.0.2.2", "mta1", None, enabled=False)
    subusers_only = SendingIp("192.0.2.3", "mta1", None, parent_assigned=False)
    ips = (on, off, subusers_only)
    assert route("x@em.example", "mta1", Holder("acme", None, True, (), ips)).ips == (on,)
    bob = Holder("acme", "bob", True, (), ips)
    assert route("x@em.example", "mta1", bob).ips == (on, subusers_only)
    alice = Holder("acme", "alice", True, (off,), ips)
    assert route("x@em.example", "mta1", alice).rule is Rule.NO_IP_ON_MTA


def test_no_holder_is_no_match() -> None:
    decision = route("x@unknown.example", "mta1", None)
    assert (decision.verdict, decision.domain, decision.reason) == (
        Verdict.NO_MATCH,
        "unknown.example",
        "",
    )


@pytest.mark.parametrize(
    ("sender", "domain"),
    [
        ("a@Em.Example.COM", "em.example.com"),
        ("a@em.example.com.", "em.example.com"),
        ('"odd@local"@em.example', "em.example"),  # the domain is after the last '@'
        ("a@Bücher.Example", "xn--bcher-kva.example"),
        ("a@XN--BCHER-KVA.example", "xn--bcher-kva.example"),
        (" a@em.example ", "em.example"),
        ("<>", None),
        ("a@em..example", None),
        ("a@-em.example", None),
        ("a@localhost", None),
        ("a@xn--zz.example", None),  # not valid Punycode
    ],
)
def test_sender_domain(sender: str, domain: str | None) -> None:
    assert sender_domain(sender) == domain


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("EM.example.com", "em.example.com"),
        ("em.example.com.", "em.example.com"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("BÜCHER.example", "xn--bcher-kva.example"),
        ("a-1.b2", "a-1.b2"),
        ("a" * 63 + ".example", "a" * 63 + ".example"),
    ],
)
def test_mail_domains_are_canonical(text: str, stored: str) -> None:
    assert canonical_mail_domain(text) == stored


@pytest.mark.parametrize(
    "text",
    [
        "",
        ".",
        "example",
        "-a.example",
        "a-.example",
        "a_b.example",
        "a..example",
        "a b.example",
        "a.example\n",
        "a" * 64 + ".example",
        ".".join(["abcdefgh"] * 28) + ".example",  # 260 characters
        "a@b.example",
        "xn--zz.example",
    ],
)
def test_bad_mail_domains_are_refused(text: str) -> None:
    with pytest.raises(BadMailDomain):
        canonical_mail_domain(text)


def test_mta_names() -> None:
    for good in ("mta1", "MTA_2", "edge-fra-1", "x" * 32):
        assert check_mta_name(good) == good
    for bad in ("", "x" * 33, "mta 1", "mta.1", "mta/1", "mtä"):
        with pytest.raises(BadMtaName):
            check_mta_name(bad)


def test_transport_names() -> None:
    assert transport_name("192.0.2.1") == "ipfleet-192-0-2-1"
    assert transport_name("2001:db8::1") == "ipfleet-2001-db8--1"
