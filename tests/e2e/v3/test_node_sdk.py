"""The official Node SDK (@sendgrid/client) on a real server: list IPs, put subuser IPs.

The test setup installs the SDK with the machine's npm into tests/e2e_v3/node (from its
package-lock.json), once per session; ``node run.js`` then makes the calls.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ipfleet.services.accounts import get_account
from ipfleet.services.subusers import subuser_ips
from ipfleet.store.uow import Database
from tests.e2e.v3.sdk import Server
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
