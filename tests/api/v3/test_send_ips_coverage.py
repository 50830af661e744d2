"""How many operations of SendGrid's four IP-related files ipfleet serves: each one's path
is asked with OPTIONS, whose ``allow`` lists the methods served there (the subuser calls
about mail, answered only with a 404, are left out of it)."""

from __future__ import annotations

import re

from tests.reliability.rel_registry import served_routes
from tests.support.inprocess import Client
from tests.support.oai import DOCS, operations_of, sendgrid_documents
from tests.support.v3_world import World

SAMPLES = {"ip": "192.0.2.1", "ip_address": "192.0.2.1", "poolid": "1", "pool_name": "marketing"}


def served(client: Client, method: str, template: str) -> bool:
    path = re.sub(r"\{([^}]+)\}", lambda m: SAMPLES.get(m.group(1), "alice"), template)
    allow = client.request("OPTIONS", path).headers.get("allow", "")
    return method in allow.split(", ")


def test_at_least_37_of_sendgrids_45_ip_operations_are_served(client: Client, world: World) -> None:
    ops = [o for doc in sendgrid_documents() for o in operations_of(doc)]
    answered = [o for o in ops if served(client, o.method, o.template)]
    missing = {(o.method, o.template) for o in ops} - {(o.method, o.template) for o in answered}
    assert len(ops) == 45
    assert len(answered) >= 37, sorted(missing)
    assert all("/credits" in t or "stats" in t or "reputations" in t for _, t in missing)


def test_docs_v3_lists_exactly_the_send_ips_calls_served(client: Client) -> None:
    """docs/v3.md's /v3/send_ips table, both ways: each served call is documented, each
    documented call is served."""
    text = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z]+ /v3/send_ips[^`]*)` \|", text, re.MULTILINE))
    served = {
        key for key in served_routes(client.app) if key.split(" ", 1)[1].startswith("/v3/send_ips")
    }
    assert documented == served
    assert len(served) == 15
