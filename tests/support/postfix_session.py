"""What the real-Postfix tests share: the session's MTA, one test's wiring, rendering."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ipfleet.mta.postfix import MAIN, MASTER
from ipfleet.store.uow import Database
from tests.support.dataplane import MTA, World
from tests.support.postfix import ThrowawayPostfix
from tests.support.server import server_env
from tests.support.smtp_sink import SmtpSink
from tests.support.socketmap import EXE, Socketmap


@dataclass
class Mta:
    """The running Postfix, its sink, and where its socketmap must listen."""

    postfix: ThrowawayPostfix
    sink: SmtpSink
    socketmap_port: int
    fragments: dict[str, bytes]


def render(db_url: str, out: Path, port: int) -> dict[str, bytes]:
    """Run the real `ipfleet postfix render --check`; the files it wrote."""
    done = subprocess.run(
        [str(EXE), "postfix", "render", "--mta", MTA, "--out", str(out),
         "--socketmap", f"inet:127.0.0.1:{port}", "--check", "--json"],
        env=server_env(db_url),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["check"] == "passed", done.stdout
    return {name: (out / name).read_bytes() for name in (MAIN, MASTER)}


@dataclass
class Wired:
    """One test's view: the session's MTA, this test's world and its socketmap process."""

    mta: Mta
    world: World
    socketmap: Socketmap
    db: Database
    db_url: str
