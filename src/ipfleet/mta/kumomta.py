"""`ipfleet kumomta render`: KumoMTA's egress sources, pools and tenants from ipfleet.

Two files in the formats of KumoMTA's own policy helpers (``policy-extras/sources.lua``
and ``policy-extras/queue.lua``):

- ``sources.toml``: ``[source."ipfleet-<ip>"]`` per IP placed on the MTA
  (``source_address``, and ``ehlo_domain`` when the IP has a host name; without one
  KumoMTA's own default applies, as ``$myhostname`` does for Postfix), then
  ``[pool."<account>"]`` per account and ``[pool."<account>.<subuser>"]`` per subuser,
  each entry at weight 1. A pool holds what the routing rule allows on this MTA
  (``effective_ips``); a deactivated subuser's pool is empty, as the rule defers it.
- ``queues.toml``: ``tenant_header = "X-Tenant"`` and ``[tenant."<subuser>"]`` per
  subuser with its ``egress_pool``.

An empty pool cannot be written as an empty table: the sources helper only creates a
pool while reading its entries, so KumoMTA would find no such pool. It is rendered with
one entry, ``ipfleet-unrouted`` at **weight 0** ("a weight of 0 prevents this entry from
being used", KumoMTA's ``EgressPoolEntry``): KumoMTA loads, finds no usable source and
keeps the mail queued -- the same outcome as Postfix's deferral. That placeholder source
binds ``192.0.2.1`` (RFC 5737 documentation space, on no host), so even a weight that
were ignored could not send from another IP.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ipfleet.domain.errors import InvalidValue
from ipfleet.domain.routing import Holder, SendingIp, effective_ips, transport_name

SOURCES = "sources.toml"
QUEUES = "queues.toml"
TENANT_HEADER = "X-Tenant"
UNROUTED = "ipfleet-unrouted"
UNROUTED_ADDRESS = "192.0.2.1"


def toml_string(value: str) -> str:
    """A TOML basic string (quotes, backslashes and control characters escaped)."""
    out = []
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def pool_name(holder: Holder) -> str:
    """``<account>`` for the account itself, ``<account>.<subuser>`` for a subuser."""
    return holder.account if holder.subuser is None else f"{holder.account}.{holder.subuser}"


def pool_ips(holder: Holder, mta: str) -> tuple[SendingIp, ...]:
    """The IPs a holder's pool holds on ``mta``: the rule's, none when deactivated."""
    if not holder.active:
        return ()
    return effective_ips(holder, mta)[1]


def _source(ip: SendingIp) -> str:
    lines = [
        f"[source.{toml_string(transport_name(ip.address))}]",
        f"source_address = {toml_string(ip.address)}",
    ]
    if ip.hostname:
        lines.append(f"ehlo_domain = {toml_string(ip.hostname)}")
    return "\n".join(lines) + "\n"


def _pool(name: str, ips: Sequence[SendingIp]) -> str:
    head = f"[pool.{toml_string(name)}]\n"
    if not ips:
        return head + f"[pool.{toml_string(name)}.{toml_string(UNROUTED)}]\nweight = 0\n"
    return head + "".join(
        f"[pool.{toml_string(name)}.{toml_string(transport_name(ip.address))}]\nweight = 1\n"
        for ip in ips
    )


def _unique_pools(holders: Iterable[Holder]) -> list[tuple[str, Holder]]:
    seen: dict[str, Holder] = {}
    for holder in holders:
        name = pool_name(holder)
        if name in seen:
            raise InvalidValue(
                f"KumoMTA pool name {name!r} would stand for two holders (account "
                f"{seen[name].account!r} and account {holder.account!r}): rename one"
            )
        seen[name] = holder
    return list(seen.items())


def sources_toml(mta: str, ips: Iterable[SendingIp], holders: Iterable[Holder]) -> str:
    """``sources.toml``: a source per enabled IP on ``mta``, a pool per account and subuser."""
    pools = [(name, pool_ips(holder, mta)) for name, holder in _unique_pools(holders)]
    parts = [
        f"# ipfleet: egress sources and pools of KumoMTA {mta}.\n"
        "# Written by `ipfleet kumomta render`; load with policy-extras.sources, do not edit.\n"
    ]
    parts += [_source(ip) for ip in ips if ip.enabled and ip.mta == mta]
    if any(not pool for _, pool in pools):
        parts.append(
            "# Pools with nothing to send from hold only this, at weight 0: mail stays queued.\n"
            f"[source.{toml_string(UNROUTED)}]\n"
            f"source_address = {toml_string(UNROUTED_ADDRESS)}\n"
        )
    parts += [_pool(name, pool) for name, pool in pools]
    return "\n".join(parts)


def queues_toml(mta: str, holders: Iterable[Holder]) -> str:
    """``queues.toml``: the tenant header and a tenant per subuser with its pool."""
    parts = [
        f"# ipfleet: tenants of KumoMTA {mta}: a message's {TENANT_HEADER} header names its\n"
        "# subuser. Written by `ipfleet kumomta render`; load with policy-extras.queue.\n"
        f"tenant_header = {toml_string(TENANT_HEADER)}\n"
    ]
    parts += [
        f"[tenant.{toml_string(holder.subuser)}]\negress_pool = {toml_string(name)}\n"
        for name, holder in _unique_pools(holders)
        if holder.subuser is not None
    ]
    return "\n".join(parts)


def render(mta: str, ips: Sequence[SendingIp], holders: Sequence[Holder]) -> dict[str, bytes]:
    """Both files by name; the same state renders the same bytes."""
    return {
        SOURCES: sources_toml(mta, ips, holders).encode(),
        QUEUES: queues_toml(mta, holders).encode(),
    }
