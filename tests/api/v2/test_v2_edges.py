"""Edges of the v2 contract: empty enumerated values, NUL bytes, check order with addresses."""

from __future__ import annotations

from tests.support.inprocess import Client
from tests.support.v2_bodies import NO_USER_JSON, check, object_error_json, object_error_xml
from tests.support.v2_world import World

IP = "/apiv2/customer.ip"
SENDIP = "/apiv2/customer.sendip"


def test_empty_enumerated_value_is_invalid_not_missing(client: Client, world: World) -> None:
    """docs/v2.md §1: 'An empty value of an enumerated parameter is an invalid value'."""
    resp = client.get(f"{IP}.json", params={**world.auth(), "list": ""})
    check(resp, object_error_json(400, "Invalid list parameter"))
    resp = client.get(f"{IP}.xml", params={**world.auth(), "list": ""})
    check(resp, object_error_xml("Invalid list parameter"))
    resp = client.get(f"{SENDIP}.json", params={**world.auth(), "task": "", "user": "alice"})
    check(resp, object_error_json(400, "Invalid task parameter"))
    params = {**world.auth(), "task": "append", "user": "alice", "set": ""}
    check(
        client.get(f"{SENDIP}.json", params=params), object_error_json(400, "Invalid set parameter")
    )


def test_nul_in_user_is_an_unknown_user_not_a_500(client: Client, world: World) -> None:
    """PostgreSQL refuses NUL in text; a bad request must never produce a 500 (DESIGN)."""
    for q in ("task=list&user=a%00b", "task=append&user=a%00b&set=none"):
        resp = client.get(
            f"{SENDIP}.json?api_user=reseller-a&api_key={world.keys['reseller-a']}&{q}"
        )
        check(resp, NO_USER_JSON)


def test_unknown_user_beats_the_empty_ip_set(client: Client, world: World) -> None:
    """docs/v2.md §2 precedence: unknown user, then the addresses (ambiguous: see the report)."""
    params = {**world.auth(), "task": "append", "user": "nobody", "set": "specify"}
    check(client.get(f"{SENDIP}.json", params=params), NO_USER_JSON)
    params = {
        **world.auth(),
        "task": "append",
        "user": "nobody",
        "set": "none",
        "ip[]": "192.0.2.9",
    }
    check(client.get(f"{SENDIP}.json", params=params), NO_USER_JSON)
