"""The official Node SDK (@sendgrid/client) on a real server: list IPs, put subuser IPs,
and every operation of SendGrid's four IP-related files (how many ipfleet serves).

The test setup installs the SDK with the machine's npm into tests/e2e_v3/node (from its
package-lock.json), once per session; ``node run.js`` then makes the calls.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from ipfleet.services.accounts import get_account
from ipfleet.services.send_ip_pools import list_send_pools
from ipfleet.services.subusers import list_subusers, subuser_ips
from ipfleet.store.uow import Database
from tests.e2e.v3.sdk import Server
from tests.support.oai import (
    Exchange,
    Operation,
    check,
    documented_deviations,
    operations_of,
    sendgrid_documents,
)
from tests.support.v3_world import ACME, ACME_SORTED

pytestmark = pytest.mark.e2e

NODE_DIR = Path(__file__).parent / "node"


@pytest.fixture(scope="session")
def node_sdk() -> Path:
    """The directory where ``node run.js`` finds @sendgrid/client, installed if need be."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("node and npm are needed for the Node SDK test")
    installed = NODE_DIR / "node_modules" / "@sendgrid" / "client" / "package.json"
    if not installed.exists():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            check=True,
            capture_output=True,
            timeout=300,
        )
    assert json.loads(installed.read_text())["version"].startswith("8.")
    return NODE_DIR


def test_node_sdk_lists_ips_and_puts_subuser_ips(node_sdk: Path, server: Server) -> None:
    env = {
        **os.environ,
        "BASE_URL": server.base_url,
        "API_KEY": server.world.keys[ACME],
        "SUBUSER": "alice",
        "IPS": "2001:db8::1,192.0.2.10",
        "FOREIGN_IP": "198.51.100.1",
    }
    done = subprocess.run(
        ["node", "run.js"],
        cwd=node_sdk,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["list"]["status"] == 200
    assert [x["ip"] for x in out["list"]["body"]] == ACME_SORTED
    assert out["put"] == {"status": 200, "body": {"ips": ["192.0.2.10", "2001:db8::1"]}}
    message = "IP address is not on your account: 198.51.100.1"
    assert out["refused"]["status"] == 400
    assert out["refused"]["body"] == {"errors": [{"field": None, "message": message}]}
    assert message in out["refused"]["printed"]
    db = Database(server.db_url)
    try:
        assert subuser_ips(db, account=get_account(db, username=ACME), username="alice") == [
            "192.0.2.10",
            "2001:db8::1",
        ]
    finally:
        db.dispose()


#: Sample values for the path parameters of SendGrid's four files (the seeded world's).
SAMPLES = {"ip": "192.0.2.6", "ip_address": "192.0.2.6", "pool_name": "marketing"}
#: Bodies that make a write do something; any other write is sent ``{}`` (a 400 if it needs
#: more, which still shows the operation served).
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/v3/send_ips/ips"): {"is_auto_warmup": False, "is_parent_assigned": True},
    ("PATCH", "/v3/send_ips/ips/{ip}"): {"is_parent_assigned": True},
    ("POST", "/v3/send_ips/pools"): {"name": "tour", "ips": ["192.0.2.6"]},
    ("PUT", "/v3/send_ips/pools/{poolid}"): {"name": "marketing"},
    ("POST", "/v3/send_ips/pools/{poolid}/ips:batchAdd"): {"ips": ["192.0.2.6"]},
    ("POST", "/v3/send_ips/pools/{poolid}/ips:batchDelete"): {"ips": ["192.0.2.6"]},
    ("PUT", "/v3/subusers/{subuser_name}/ips"): ["192.0.2.6"],
}


def not_served(status: int, body: Any) -> bool:
    """An answer that says the call is no route, or a subuser call about mail."""
    if status == 405:
        return True
    errors = body.get("errors", []) if isinstance(body, dict) else []
    message = " ".join(str(e.get("message", "")) for e in errors)
    return status == 404 and ("resource not found" in message or "does not serve" in message)


def tour_calls(server: Server, ops: list[Operation]) -> list[dict[str, Any]]:
    """One call per operation; deletions last, so each finds what it names."""
    db = Database(server.db_url)
    try:
        acme = get_account(db, username=ACME)
        pool_id = str(list_send_pools(db, account=acme, after_key=None, limit=1).items[0].id)
        alice = next(
            v.subuser for v in list_subusers(db, account=acme) if v.subuser.username == "alice"
        )
    finally:
        db.dispose()
    values = {**SAMPLES, "poolid": pool_id, "subuser_name": alice.username}
    calls = []
    for op in sorted(ops, key=lambda o: o.method == "DELETE"):
        url = re.sub(r"\{([^}]+)\}", lambda m: values[m.group(1)], op.template)
        call: dict[str, Any] = {"method": op.method, "url": url}
        if op.method in ("POST", "PUT", "PATCH"):
            call["body"] = BODIES.get((op.method, op.template), {})
        calls.append(call)
    return calls


def test_node_sdk_is_served_37_of_the_45_ip_operations(node_sdk: Path, server: Server) -> None:
    """Every operation of SendGrid's four IP-related files, through @sendgrid/client: at
    least 37 served (the eight others are subuser calls about mail, a documented 404), each
    answer SendGrid's schema or a deviation listed in docs/v3.md."""
    ops = [o for doc in sendgrid_documents() for o in operations_of(doc)]
    env = {
        **os.environ,
        "BASE_URL": server.base_url,
        "API_KEY": server.world.keys[ACME],
        "CALLS": json.dumps(tour_calls(server, ops)),
    }
    done = subprocess.run(
        ["node", "tour.js"], cwd=node_sdk, env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout)
    assert len(answers) == len(ops) == 45
    served = [a for a in answers if not not_served(a["status"], a["body"])]
    assert len(served) >= 37, [(a["method"], a["url"]) for a in answers if a not in served]
    assert all(a["status"] < 500 for a in answers), answers
    deviations, problems = documented_deviations(), []
    for a in answers:
        raw = b"" if a["body"] in ("", None) else json.dumps(a["body"]).encode()
        path = urllib.parse.unquote(a["url"])
        problems += (
            check(ops, Exchange(a["method"], path, a["status"], raw), deviations, set()) or []
        )
    assert problems == [], "\n".join(problems)
