"""mta/postfix.py and mta/kumomta.py: what the renderers write, byte for byte where it matters.

KumoMTA's files are parsed with ``tomllib`` and every key is checked against what
KumoMTA's own helpers accept. Those keys, from the KumoCorp/kumomta sources:

- ``assets/policy-extras/sources.lua`` (commit 0ab606cf): the file's top level is
  ``SourcesHelperConfig`` with ``pool`` and ``source`` (lines 35-38); a pool entry is a
  ``PoolSourceEntry`` with ``weight`` only (lines 8-10); a source's keys are passed to
  ``kumo.make_egress_source`` (lines 14-33), i.e. the fields of ``EgressSource`` in
  ``crates/kumod/src/egress_source.rs`` (``#[serde(deny_unknown_fields)]``).
  ``load_data_from_file`` (lines 52-64) creates a pool only while reading its entries.
- ``assets/policy-extras/queue.lua`` (commit 03a43460): ``parse_one`` (line 70 on) takes
  ``tenant`` and ``queue`` tables and keeps every other top-level key as an option; the
  options read are those of ``helper:apply``; a tenant's keys are queue options
  (``is_queue_config_option``: ``QueueConfig`` fields such as ``egress_pool``) or
  ``require_authz``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import pytest

from ipfleet.domain.errors import InvalidValue
from ipfleet.domain.routing import Holder, SendingIp, transport_name
from ipfleet.mta import kumomta, postfix
from ipfleet.mta.files import write_files
from tests.support.postfix import REQUIRE_ENV

EGRESS_SOURCE_KEYS = {
    "name",
    "ehlo_domain",
    "source_address",
    "remote_port",
    "ha_proxy_server",
    "ha_proxy_source_address",
    "socks5_proxy_server",
    "socks5_proxy_source_address",
    "ttl",
}
POOL_ENTRY_KEYS = {"weight"}
SOURCES_TOP_KEYS = {"pool", "source"}
QUEUE_OPTIONS = {
    "scheduling_header",
    "tenant_header",
    "remove_tenant_header",
    "campaign_header",
    "remove_campaign_header",
    "default_tenant",
}
TENANT_KEYS = {"egress_pool", "max_age", "retry_interval", "require_authz"}

A2 = SendingIp("127.0.0.2", "mta1", "out2.example.com")
A3 = SendingIp("127.0.0.3", "mta1", None)
A4 = SendingIp("127.0.0.4", "mta1", "out4.example.com", enabled=False)
B9 = SendingIp("127.0.0.9", "mta2", None)
V6 = SendingIp("2001:db8::5", "mta1", "v6.example.com")
ACCOUNT_IPS = (A2, A3, A4, B9, V6)
HOLDERS = (
    Holder("acme", None, True, (), ACCOUNT_IPS),
    Holder("acme", "bob", True, (A2,), ACCOUNT_IPS),
    Holder("acme", "carol", False, (A3,), ACCOUNT_IPS),
    Holder("acme", "dave", True, (B9,), ACCOUNT_IPS),
    Holder("acme", "erin", True, (), ACCOUNT_IPS),
)
ON_MTA1 = (A2, A3, A4, V6)


# --- Postfix ---------------------------------------------------------------------------


def test_postfix_fragments_exactly() -> None:
    files = postfix.render("mta1", "inet:127.0.0.1:7777", ON_MTA1)
    assert files[postfix.MAIN].decode().splitlines()[2:] == [
        "sender_dependent_default_transport_maps = socketmap:inet:127.0.0.1:7777:mta1",
        "smtp_bind_address_enforce = yes",
    ]
    assert files[postfix.MASTER].decode().splitlines()[2:] == [
        "ipfleet-127-0-0-2 unix - - - - - smtp",
        "  -o smtp_bind_address=127.0.0.2",
        "  -o inet_protocols=ipv4",
        "  -o smtp_helo_name=out2.example.com",
        "  -o syslog_name=postfix/ipfleet-127.0.0.2",
        "ipfleet-127-0-0-3 unix - - - - - smtp",
        "  -o smtp_bind_address=127.0.0.3",
        "  -o inet_protocols=ipv4",
        "  -o smtp_helo_name=$myhostname",
        "  -o syslog_name=postfix/ipfleet-127.0.0.3",
        "ipfleet-2001-db8--5 unix - - - - - smtp",
        "  -o smtp_bind_address6=2001:db8::5",
        "  -o inet_protocols=ipv6",
        "  -o smtp_helo_name=v6.example.com",
        "  -o syslog_name=postfix/ipfleet-2001:db8::5",
    ]  # A4 is disabled: no transport, so nothing can ever send from it


def test_postfix_same_state_same_bytes() -> None:
    first = postfix.render("mta1", "inet:127.0.0.1:7777", ON_MTA1)
    assert postfix.render("mta1", "inet:127.0.0.1:7777", list(ON_MTA1)) == first
    assert postfix.render("mta1", "inet:127.0.0.1:7778", ON_MTA1) != first


@pytest.mark.parametrize(
    "endpoint", ["127.0.0.1:7777", "inet:127.0.0.1", "unix:/x:y", "inet:h:0", "inet:h:70000"]
)
def test_postfix_refuses_a_bad_socketmap_endpoint(endpoint: str) -> None:
    with pytest.raises(InvalidValue, match="inet:HOST:PORT"):
        postfix.render("mta1", endpoint, ON_MTA1)


def test_postfix_check_accepts_the_fragments_and_rejects_a_broken_one() -> None:
    files = postfix.render("mta1", "inet:127.0.0.1:7777", ON_MTA1)
    result = postfix.check(files)
    if not result.ran:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{result.output}, but {REQUIRE_ENV} is set")
        pytest.skip(result.output)
    assert result.ok, result.output
    broken = {**files, postfix.MASTER: files[postfix.MASTER] + b"  -o smtp_bind_adress=1\n"}
    result = postfix.check(broken)
    assert not result.ok
    assert "smtp_bind_adress" in result.output


def test_files_are_written_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_files(out, {"a": b"one", "b": b"two"})
    write_files(out, {"a": b"three"})
    assert sorted(p.name for p in out.iterdir()) == ["a", "b"]  # no temp file left
    assert (out / "a").read_bytes() == b"three"


# --- KumoMTA ---------------------------------------------------------------------------


def kumo_files(holders: tuple[Holder, ...] = HOLDERS) -> tuple[dict[str, Any], dict[str, Any]]:
    files = kumomta.render("mta1", ON_MTA1, holders)
    return tomllib.loads(files[kumomta.SOURCES].decode()), tomllib.loads(
        files[kumomta.QUEUES].decode()
    )


def test_kumomta_keys_are_those_the_helpers_accept() -> None:
    sources, queues = kumo_files()
    assert set(sources) <= SOURCES_TOP_KEYS
    for params in sources["source"].values():
        assert set(params) <= EGRESS_SOURCE_KEYS
    for entries in sources["pool"].values():
        assert entries, "an empty pool table is dropped by sources.lua"
        for entry in entries.values():
            assert set(entry) <= POOL_ENTRY_KEYS
    assert set(queues) - {"tenant", "queue"} <= QUEUE_OPTIONS
    for tenant in queues["tenant"].values():
        assert set(tenant) <= TENANT_KEYS
    # every pool entry names a defined source (sources.lua's validate_config checks this)
    for entries in sources["pool"].values():
        assert set(entries) <= set(sources["source"])
    # every tenant's pool exists
    assert {t["egress_pool"] for t in queues["tenant"].values()} <= set(sources["pool"])


def test_kumomta_sources_pools_and_tenants() -> None:
    sources, queues = kumo_files()
    assert sources["source"][transport_name("127.0.0.2")] == {
        "source_address": "127.0.0.2",
        "ehlo_domain": "out2.example.com",
    }
    assert sources["source"][transport_name("127.0.0.3")] == {"source_address": "127.0.0.3"}
    assert transport_name("127.0.0.4") not in sources["source"]  # disabled
    assert transport_name("127.0.0.9") not in sources["source"]  # on another MTA
    every = {transport_name(ip.address): {"weight": 1} for ip in (A2, A3, V6)}
    unrouted = {kumomta.UNROUTED: {"weight": 0}}
    assert sources["pool"] == {
        "acme": every,
        "acme.bob": {transport_name("127.0.0.2"): {"weight": 1}},
        "acme.carol": unrouted,  # deactivated: the rule defers it
        "acme.dave": unrouted,  # its only IP is on mta2
        "acme.erin": every,  # empty set: all of the account's IPs
    }
    assert sources["source"][kumomta.UNROUTED] == {"source_address": "192.0.2.1"}
    assert queues == {
        "tenant_header": "X-Tenant",
        "tenant": {
            name: {"egress_pool": f"acme.{name}"} for name in ("bob", "carol", "dave", "erin")
        },
    }


def test_kumomta_without_empty_pools_defines_no_placeholder() -> None:
    sources, _ = kumo_files(HOLDERS[:2])
    assert kumomta.UNROUTED not in sources["source"]


def test_kumomta_same_state_same_bytes_and_quoting() -> None:
    odd = Holder('a"c\\me', 'b"ob', True, (A2,), ACCOUNT_IPS)
    files = kumomta.render("mta1", ON_MTA1, (odd,))
    assert files == kumomta.render("mta1", ON_MTA1, [odd])
    sources = tomllib.loads(files[kumomta.SOURCES].decode())
    assert 'a"c\\me.b"ob' in sources["pool"]


def test_kumomta_refuses_two_holders_with_one_pool_name() -> None:
    clash = (Holder("a.b", None, True, (), ()), Holder("a", "b", True, (), ()))
    with pytest.raises(InvalidValue, match=r"'a\.b'"):
        kumomta.render("mta1", ON_MTA1, clash)
