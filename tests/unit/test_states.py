"""domain/states.classify: the v2 state rules (docs/v2.md §3) over random holdings."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from ipfleet.domain.states import IpState, classify

POOL = [f"192.0.2.{n}" for n in range(1, 13)] + [f"2001:db8::{n:x}" for n in range(1, 5)]


@dataclass(frozen=True)
class Scene:
    addresses: frozenset[str]
    # subuser -> (active, the addresses it holds); some may be off the account
    subusers: dict[str, tuple[bool, frozenset[str]]]

    def holdings(self) -> list[tuple[str, bool]]:
        return [(ip, active) for active, ips in self.subusers.values() for ip in sorted(ips)]

    def holders(self, ip: str) -> list[bool]:
        return [active for active, ips in self.subusers.values() if ip in ips]


@st.composite
def scenes(draw: st.DrawFn) -> Scene:
    addresses = draw(st.frozensets(st.sampled_from(POOL)))
    names = draw(st.lists(st.text("abcdefgh", min_size=1, max_size=4), unique=True, max_size=6))
    subusers = {
        name: (draw(st.booleans()), draw(st.frozensets(st.sampled_from(POOL), max_size=8)))
        for name in names
    }
    return Scene(addresses, subusers)


@given(scenes())
def test_state_rules(scene: Scene) -> None:
    states = classify(scene.addresses, scene.holdings())
    everything = states[IpState.ALL]
    taken, free, available = states[IpState.TAKEN], states[IpState.FREE], states[IpState.AVAILABLE]

    assert set(states) == set(IpState)
    assert everything == scene.addresses
    assert taken | free == everything
    assert not taken & free
    assert free <= available <= everything
    assert taken <= everything
    assert taken & available == {
        ip for ip in everything if scene.holders(ip) and not any(scene.holders(ip))
    }


@given(scenes())
def test_each_state_matches_its_definition(scene: Scene) -> None:
    states = classify(scene.addresses, scene.holdings())
    for ip in scene.addresses:
        holders = scene.holders(ip)
        assert (ip in states[IpState.TAKEN]) == bool(holders)
        assert (ip in states[IpState.FREE]) == (not holders)
        assert (ip in states[IpState.AVAILABLE]) == (not any(holders))


@given(scenes())
def test_holdings_of_addresses_off_the_account_are_ignored(scene: Scene) -> None:
    states = classify(scene.addresses, scene.holdings())
    for ip_set in states.values():
        assert ip_set <= scene.addresses


@given(scenes())
def test_order_and_repetition_of_holdings_do_not_matter(scene: Scene) -> None:
    pairs = scene.holdings()
    shuffled = list(reversed(pairs)) + pairs
    assert classify(scene.addresses, pairs) == classify(list(scene.addresses) * 2, shuffled)


@given(st.frozensets(st.sampled_from(POOL)))
def test_without_holdings_everything_is_free_and_available(addresses: frozenset[str]) -> None:
    states = classify(addresses, [])
    assert states[IpState.TAKEN] == frozenset()
    assert states[IpState.FREE] == states[IpState.AVAILABLE] == states[IpState.ALL] == addresses


@given(scenes())
def test_deactivating_everyone_makes_everything_available(scene: Scene) -> None:
    inactive = [(ip, False) for ip, _ in scene.holdings()]
    states = classify(scene.addresses, inactive)
    assert states[IpState.AVAILABLE] == scene.addresses
    assert states[IpState.TAKEN] == classify(scene.addresses, scene.holdings())[IpState.TAKEN]


def test_example_from_the_spec() -> None:
    addresses = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]
    holdings = [
        ("192.0.2.1", True),  # held by an active subuser
        ("192.0.2.2", False),  # held only by a deactivated one
        ("192.0.2.3", False),  # held by both kinds
        ("192.0.2.3", True),
        ("198.51.100.1", True),  # not on the account
    ]
    states = classify(addresses, holdings)
    assert states[IpState.ALL] == frozenset(addresses)
    assert states[IpState.TAKEN] == {"192.0.2.1", "192.0.2.2", "192.0.2.3"}
    assert states[IpState.FREE] == {"192.0.2.4"}
    assert states[IpState.AVAILABLE] == {"192.0.2.2", "192.0.2.4"}
