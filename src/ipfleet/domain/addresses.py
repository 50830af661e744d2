"""IP addresses: strict parsing, canonical text, numeric sort keys, CIDR expansion."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from ipfleet.domain.errors import AddressRejected, RangeTooLarge, TooManyAddresses

Address = IPv4Address | IPv6Address

#: The largest range expanded in one call unless the caller takes a slice with ``limit``.
MAX_RANGE = 65_536


def shown(text: str) -> str:
    """``text`` fit to quote in a one-line message: control characters escaped."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def address_error(text: str) -> str | None:
    """The reason ``text`` is not an acceptable address, or None when it is one."""
    # The value is echoed as given (docs/v2.md §2); the CLI escapes control characters itself.
    bad = f"Invalid IP address: {text}"
    if not text.isascii() or not text.isprintable() or text != text.strip():
        return bad
    if "/" in text or "%" in text:
        return bad
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return bad
    if isinstance(ip, IPv6Address) and ip.ipv4_mapped is not None:
        return f"Invalid IP address: {text} (use the IPv4 form {ip.ipv4_mapped})"
    return None


def check_address_count(count: int, limit: int) -> None:
    """Refuse a request naming more than ``limit`` addresses (counted before de-duplication;
    ``IPFLEET_MAX_IPS_PER_REQUEST``): the one check both APIs apply."""
    if count > limit:
        raise TooManyAddresses(limit)


def parse_address(text: str) -> Address:
    """Parse one address strictly (no prefix, zone id, mapped IPv4 or short forms)."""
    reason = address_error(text)
    if reason is not None:
        raise AddressRejected([reason])
    return ipaddress.ip_address(text)


def canonical(ip: Address) -> str:
    """The one stored spelling: dotted quad, or compressed lower-case IPv6."""
    return str(ip)


def sort_key(ip: Address) -> str:
    """A text key that sorts numerically, IPv4 before IPv6."""
    return f"{ip.version}{int(ip):032x}"


def from_sort_key(key: str) -> Address:
    """The address a sort key was made from."""
    value = int(key[1:], 16)
    return IPv4Address(value) if key[0] == "4" else IPv6Address(value)


def parse_network(text: str) -> IPv4Network | IPv6Network:
    """Parse a CIDR range strictly: host bits must be zero."""
    addr, _, prefix = text.partition("/")
    reason = address_error(addr)
    if reason is not None or not prefix.isascii() or not prefix.isdigit():
        raise AddressRejected([f"Invalid IP range: {text}"])
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        raise AddressRejected([f"Invalid IP range: {text} ({exc})"]) from None


def host_count(net: IPv4Network | IPv6Network) -> int:
    """How many addresses ``hosts()`` yields, without walking them."""
    total = net.num_addresses
    if net.version == 4:
        return total - 2 if net.prefixlen < 31 else total
    return total - 1 if net.prefixlen < 127 else total


def expand(specs: Iterable[str], *, limit: int | None = None) -> list[Address]:
    """Addresses and CIDR ranges to a sorted, de-duplicated address list.

    Every bad spec is named in one ``AddressRejected``. A range with more than
    ``MAX_RANGE`` hosts is refused unless ``limit`` asks for its first ``limit`` hosts.
    """
    found: set[Address] = set()
    problems: list[str] = []
    too_large: list[str] = []
    for spec in specs:
        try:
            found.update(_expand_one(spec, limit))
        except AddressRejected as exc:
            problems.extend(exc.details)
        except RangeTooLarge as exc:
            too_large.append(exc.message)
    if problems:
        raise AddressRejected(problems + too_large)
    if too_large:
        raise RangeTooLarge(too_large[0], too_large)
    return sorted(found, key=sort_key)


def _expand_one(spec: str, limit: int | None) -> Iterator[Address]:
    if "/" not in spec:
        yield parse_address(spec)
        return
    net = parse_network(spec)
    count = host_count(net)
    if count > MAX_RANGE and limit is None:
        raise RangeTooLarge(
            f"{spec} has {count} addresses, more than {MAX_RANGE} in one go; "
            "add a slice of it: a limit of N takes its first N addresses (--limit N)"
        )
    for n, host in enumerate(net.hosts()):
        if limit is not None and n >= limit:
            return
        yield host  # type: ignore[misc]  # hosts() is typed loosely in typeshed
