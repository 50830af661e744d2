"""schemathesis against a real server and its own /v3/openapi.json: no server errors, no
schema violations (also ``make schemathesis``).

Every check runs but ``positive_data_acceptance``: a schema-valid request may still be
refused with a 400 by a rule the schema cannot carry (an IP that is not the account's, a
pool name already taken, a quota), as SendGrid refuses them; and
``ensure_resource_availability``: it reads any 404 after a create as the created thing
missing, but ``POST /v3/ips/pools/{pool_name}/ips`` answers 404 for the *IP* it is given
(a made-up address is on no account), with ``field: "ip"``, while the new pool is there.
``DELETE /v3/api_keys/{id}`` is left out: the stateful phase would find the run's own key
through ``GET /v3/api_keys`` and revoke it, leaving every later call a 401 (the SDK tests
cover that call).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.v3.sdk import BIN, Server
from tests.support.v3_world import ACME

pytestmark = pytest.mark.e2e

EXAMPLES = os.environ.get("IPFLEET_SCHEMATHESIS_EXAMPLES", "25")


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    server: Server, tmp_path: Path
) -> None:
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"{server.base_url}/v3/openapi.json",
        "--header",
        f"Authorization: Bearer {server.world.keys[ACME]}",
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance,ensure_resource_availability",
        "--exclude-operation-id",
        "DeleteApiKey",
        "--max-examples",
        EXAMPLES,
        "--workers",
        "1",
        "--seed",
        "20261127",
        "--no-color",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=900, cwd=tmp_path, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "41 selected / 42 total" in output, output
    assert "Authentication failed" not in output, output
    assert " failed" not in output.split("SUMMARY", 1)[-1], output
