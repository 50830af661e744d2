"""domain/addresses.py: strict parsing, canonical text, numeric sort keys, CIDR expansion."""

from __future__ import annotations

import random
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ipfleet.domain.addresses import (
    MAX_RANGE,
    canonical,
    expand,
    from_sort_key,
    parse_address,
    parse_network,
    shown,
    sort_key,
)
from ipfleet.domain.errors import AddressRejected, Invalid, RangeTooLarge

Address = IPv4Address | IPv6Address

ipv4s = st.ip_addresses(v=4)
# IPv4-mapped IPv6 addresses are refused on purpose; they have their own tests.
ipv6s = st.ip_addresses(v=6).filter(lambda ip: ip.ipv4_mapped is None)
addresses = st.one_of(ipv4s, ipv6s)


def numeric(ip: Address) -> tuple[int, int]:
    """The order lists must follow: all IPv4 before all IPv6, then by value."""
    return (ip.version, int(ip))


def rejected(text: str) -> tuple[str, ...]:
    with pytest.raises(AddressRejected) as info:
        parse_address(text)
    return info.value.details


# --- parsing and canonical text -------------------------------------------------------


@given(addresses)
def test_canonical_text_round_trips(ip: Address) -> None:
    text = canonical(ip)
    assert parse_address(text) == ip
    assert canonical(parse_address(text)) == text


@given(ipv4s)
def test_ipv4_canonical_is_dotted_quad_without_leading_zeros(ip: IPv4Address) -> None:
    octets = canonical(ip).split(".")
    assert len(octets) == 4
    assert [int(o) for o in octets] == list(ip.packed)
    assert all(o == str(int(o)) for o in octets)


@given(ipv6s, st.booleans())
def test_any_ipv6_spelling_canonicalises_to_compressed_lower_case(
    ip: IPv6Address, upper: bool
) -> None:
    spelled = ip.exploded.upper() if upper else ip.exploded
    text = canonical(parse_address(spelled))
    assert text == text.lower()
    assert len(text) <= 39
    assert IPv6Address(text) == ip
    # compressed: no group keeps a leading zero, and "::" appears at most once
    assert text.count("::") <= 1
    assert all(g == "" or g == format(int(g, 16), "x") for g in text.split(":"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("FE80::A", "fe80::a"),
        ("::", "::"),
        ("192.0.2.1", "192.0.2.1"),
        ("0.0.0.0", "0.0.0.0"),
    ],
)
def test_canonical_examples(text: str, expected: str) -> None:
    assert canonical(parse_address(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        " 192.0.2.1",
        "192.0.2.1 ",
        "192.0.2.1\n",
        "\t2001:db8::1",
        "192.0.2.1/32",
        "2001:db8::1/128",
        "fe80::1%eth0",
        "fe80::1%1",
        "1.2.3",
        "1.2",
        "3232235521",
        "0x7f.0.0.1",
        "0x7f000001",
        "0177.0.0.1",
        "010.0.0.1",
        "192.0.2.01",
        "256.0.0.1",
        "1.2.3.4.5",
        "",
        "localhost",
        "2001:db8::g",
        "2001:db8:::1",
        "1:2:3:4:5:6:7:8:9",
        "\u0661.\u0662.\u0663.\u0664",  # Arabic-Indic digits
        "\uff11.2.3.4",  # fullwidth digit one
        "192.0.2.\u0967",  # Devanagari digit one
        "2001:db8::\uff11",
        "192.0.2.1\x00",
    ],
)
def test_malformed_forms_are_rejected_naming_the_text(text: str) -> None:
    details = rejected(text)
    assert details == (f"Invalid IP address: {text}",)


def test_shown_escapes_only_what_cannot_be_printed() -> None:
    assert shown("\u0661.2 <&>") == "\u0661.2 <&>"
    assert shown("1.2.3.4\nX\x00\x1b[2J") == "1.2.3.4\\nX\\x00\\x1b[2J"


@pytest.mark.parametrize(
    ("text", "ipv4"),
    [
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("::FFFF:192.0.2.1", "192.0.2.1"),
        ("::ffff:c000:201", "192.0.2.1"),
        ("0:0:0:0:0:ffff:10.1.2.3", "10.1.2.3"),
    ],
)
def test_ipv4_mapped_ipv6_is_rejected_saying_to_use_the_ipv4_form(text: str, ipv4: str) -> None:
    (detail,) = rejected(text)
    assert text in detail
    assert f"use the IPv4 form {ipv4}" in detail


@given(ipv4s)
def test_every_ipv4_mapped_address_is_rejected(ip: IPv4Address) -> None:
    mapped = IPv6Address(f"::ffff:{ip}")
    for text in (str(mapped), mapped.exploded):
        (detail,) = rejected(text)
        assert f"use the IPv4 form {ip}" in detail


@given(ipv4s, st.integers(0, 3))
def test_ipv4_with_a_leading_zero_is_rejected(ip: IPv4Address, which: int) -> None:
    octets = canonical(ip).split(".")
    octets[which] = "0" + octets[which]
    text = ".".join(octets)
    assert rejected(text) == (f"Invalid IP address: {text}",)


@given(addresses, st.sampled_from([" ", "\t", "\n", "\r\n", "\u00a0"]), st.booleans())
def test_surrounding_whitespace_is_rejected(ip: Address, space: str, before: bool) -> None:
    text = space + canonical(ip) if before else canonical(ip) + space
    assert len(rejected(text)) == 1


@given(ipv4s, st.integers(0, 3), st.sampled_from(["\u0660", "\uff10", "\u06f0", "\u0966"]))
def test_non_ascii_digits_are_rejected(ip: IPv4Address, which: int, zero: str) -> None:
    octets = canonical(ip).split(".")
    # Replace each ASCII digit of one octet by the same digit of another script.
    octets[which] = "".join(chr(ord(zero) + int(d)) for d in octets[which])
    text = ".".join(octets)
    assert rejected(text) == (f"Invalid IP address: {text}",)


@given(addresses, st.integers(0, 128))
def test_a_prefix_length_is_not_an_address(ip: Address, prefix: int) -> None:
    text = f"{canonical(ip)}/{prefix}"
    assert rejected(text) == (f"Invalid IP address: {text}",)


# --- sort keys ---------------------------------------------------------------------------


@given(addresses)
def test_from_sort_key_inverts_sort_key(ip: Address) -> None:
    key = sort_key(ip)
    assert from_sort_key(key) == ip
    assert type(from_sort_key(key)) is type(ip)
    assert len(key) == 33  # the width of the sort_key column


@given(addresses, addresses)
def test_sort_key_order_is_numeric_order_with_ipv4_first(a: Address, b: Address) -> None:
    assert (sort_key(a) < sort_key(b)) == (numeric(a) < numeric(b))
    assert (sort_key(a) == sort_key(b)) == (a == b)


@given(st.lists(addresses, max_size=30))
def test_sorting_by_sort_key_sorts_numerically(ips: list[Address]) -> None:
    by_key = sorted(ips, key=sort_key)
    assert by_key == sorted(ips, key=numeric)
    seen_v6 = False
    for ip in by_key:
        seen_v6 = seen_v6 or ip.version == 6
        assert not (seen_v6 and ip.version == 4)


def test_sort_key_examples() -> None:
    ips = [parse_address(t) for t in ["2001:db8::1", "192.0.2.10", "::1", "192.0.2.9", "10.0.0.1"]]
    assert [canonical(ip) for ip in sorted(ips, key=sort_key)] == [
        "10.0.0.1",
        "192.0.2.9",
        "192.0.2.10",
        "::1",
        "2001:db8::1",
    ]


# --- expand() ----------------------------------------------------------------------------


def ipv4_hosts(net: IPv4Network) -> list[IPv4Address]:
    """Host addresses computed from first principles, not from ``hosts()``."""
    first, last = int(net.network_address), int(net.broadcast_address)
    if net.prefixlen < 31:
        first, last = first + 1, last - 1
    return [IPv4Address(n) for n in range(first, last + 1)]


def ipv6_hosts(net: IPv6Network) -> list[IPv6Address]:
    first, last = int(net.network_address), int(net.broadcast_address)
    if net.prefixlen < 127:
        first += 1  # the subnet-router anycast address
    return [IPv6Address(n) for n in range(first, last + 1)]


@given(ipv4s, st.integers(22, 32))
def test_ipv4_cidr_expands_to_its_hosts(ip: IPv4Address, prefix: int) -> None:
    net = IPv4Network(f"{ip}/{prefix}", strict=False)
    assert expand([str(net)]) == ipv4_hosts(net)


@given(ipv6s, st.integers(118, 128))
def test_ipv6_cidr_expands_skipping_the_anycast_address(ip: IPv6Address, prefix: int) -> None:
    net = IPv6Network(f"{ip}/{prefix}", strict=False)
    assume(net.network_address.ipv4_mapped is None)
    assert expand([str(net)]) == ipv6_hosts(net)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("192.0.2.0/30", ["192.0.2.1", "192.0.2.2"]),
        ("192.0.2.8/31", ["192.0.2.8", "192.0.2.9"]),
        ("192.0.2.7/32", ["192.0.2.7"]),
        ("192.0.2.0/29", [f"192.0.2.{n}" for n in range(1, 7)]),
        ("2001:db8::/126", ["2001:db8::1", "2001:db8::2", "2001:db8::3"]),
        ("2001:db8::/127", ["2001:db8::", "2001:db8::1"]),
        ("2001:db8::5/128", ["2001:db8::5"]),
        ("2001:DB8::/126", ["2001:db8::1", "2001:db8::2", "2001:db8::3"]),
    ],
)
def test_cidr_examples(spec: str, expected: list[str]) -> None:
    assert [canonical(ip) for ip in expand([spec])] == expected


def test_a_slash_24_gives_254_hosts() -> None:
    hosts = [canonical(ip) for ip in expand(["198.51.100.0/24"])]
    assert len(hosts) == 254
    assert hosts[0] == "198.51.100.1"
    assert hosts[-1] == "198.51.100.254"


@given(
    st.lists(st.one_of(addresses.map(canonical), st.sampled_from(["192.0.2.0/29"])), max_size=20)
)
def test_expand_deduplicates_and_sorts(specs: list[str]) -> None:
    mixed = specs + specs[: len(specs) // 2]
    random.Random(len(mixed)).shuffle(mixed)
    expected: set[Address] = set()
    for spec in mixed:
        if "/" in spec:
            expected.update(ipv4_hosts(IPv4Network(spec)))
        else:
            expected.add(parse_address(spec))
    result = expand(mixed)
    assert result == sorted(expected, key=numeric)
    assert len(result) == len(set(result))


def test_expand_overlapping_ranges_and_addresses() -> None:
    result = expand(["192.0.2.2", "192.0.2.0/30", "2001:db8::1", "192.0.2.1", "2001:db8::/126"])
    assert [canonical(ip) for ip in result] == [
        "192.0.2.1",
        "192.0.2.2",
        "2001:db8::1",
        "2001:db8::2",
        "2001:db8::3",
    ]


def test_expand_of_nothing_is_empty() -> None:
    assert expand([]) == []


@pytest.mark.parametrize("spec", ["192.0.2.1/24", "192.0.2.5/30", "2001:db8::1/64"])
def test_host_bits_set_are_refused(spec: str) -> None:
    with pytest.raises(AddressRejected) as info:
        expand([spec])
    (detail,) = info.value.details
    assert detail.startswith(f"Invalid IP range: {spec}")


@pytest.mark.parametrize(
    "spec",
    [
        "192.0.2.0/33",
        "2001:db8::/129",
        "192.0.2.0/",
        "192.0.2.0/255.255.255.0",
        "192.0.2.0/-1",
        "192.0.2.0/ 24",
        "192.0.2.0/\uff12\uff14",
        "010.0.0.0/8",
        "::ffff:192.0.2.0/120",
        "fe80::%eth0/64",
        " 192.0.2.0/24",
        "/24",
    ],
)
def test_malformed_ranges_are_refused(spec: str) -> None:
    with pytest.raises(AddressRejected) as info:
        parse_network(spec)
    (detail,) = info.value.details
    assert detail.startswith(f"Invalid IP range: {spec}")


def test_range_larger_than_the_maximum_is_refused() -> None:
    assert MAX_RANGE == 65_536
    with pytest.raises(RangeTooLarge) as info:
        expand(["10.0.0.0/15"])  # 131,070 hosts
    assert isinstance(info.value, Invalid)
    assert "10.0.0.0/15" in info.value.message
    with pytest.raises(RangeTooLarge):
        expand(["2001:db8::/111"])  # 131,071 hosts
    with pytest.raises(RangeTooLarge):
        expand(["10.0.0.0/8"])


def test_range_at_the_maximum_is_expanded() -> None:
    assert len(expand(["10.0.0.0/16"])) == 65_534
    ipv6 = expand(["2001:db8::/112"])
    assert len(ipv6) == 65_535
    assert canonical(ipv6[-1]) == "2001:db8::ffff"


def test_limit_takes_the_first_hosts_of_a_large_range() -> None:
    assert [canonical(ip) for ip in expand(["10.0.0.0/8"], limit=3)] == [
        "10.0.0.1",
        "10.0.0.2",
        "10.0.0.3",
    ]
    assert [canonical(ip) for ip in expand(["2001:db8::/32"], limit=2)] == [
        "2001:db8::1",
        "2001:db8::2",
    ]
    # the limit applies to each range, and single addresses are unaffected
    result = expand(["192.0.2.0/24", "198.51.100.0/24", "203.0.113.9"], limit=2)
    assert [canonical(ip) for ip in result] == [
        "192.0.2.1",
        "192.0.2.2",
        "198.51.100.1",
        "198.51.100.2",
        "203.0.113.9",
    ]


def test_every_bad_spec_is_named_in_one_error() -> None:
    bad = ["nonsense", "192.0.2.1/24", "::ffff:192.0.2.1", "010.0.0.1", "1.2.3"]
    with pytest.raises(AddressRejected) as info:
        expand(["192.0.2.9", bad[0], "192.0.2.0/30", *bad[1:], "2001:db8::1"])
    details = info.value.details
    assert len(details) == len(bad)
    for spec, detail in zip(bad, details, strict=True):
        assert spec in detail
    assert "use the IPv4 form 192.0.2.1" in details[2]
    # the message summarises the details
    assert "nonsense" in info.value.message
