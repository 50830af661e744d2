"""How many operations of SendGrid's four IP-related files ipfleet serves: each one's path
is asked with OPTIONS, whose ``allow`` lists the methods served there (the subuser calls
about mail, answered only with a 404, are left out of it)."""

from __future__ import annotations

import re

from tests.support.inprocess import Client
from tests.support.oai import operations_of, sendgrid_documents
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
