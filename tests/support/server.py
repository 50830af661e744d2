"""The one launcher of a real `ipfleet serve` process, for every test that needs a server.

The server runs in a session (process group) of its own, so stopping it stops the granian
parent and all its workers, and the crash tests can SIGKILL the whole group at once. It
sees only the ``IPFLEET_*`` settings the test gives (plus the database URL): settings
exported in the shell that runs the tests do not leak into it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

IPFLEET = Path(sys.executable).parent / "ipfleet"
READY_S = 60.0
STOP_S = 10.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(db_url: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without its IPFLEET_* settings, then the test's own."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("IPFLEET_")}
    return {**inherited, "IPFLEET_DATABASE_URL": db_url, **(env or {})}


class Server:
    """One `ipfleet serve` process (granian parent and workers) on a free port."""

    def __init__(self, db_url: str, *, workers: int = 1, env: dict[str, str] | None = None):
        self.db_url, self.workers, self.env = db_url, workers, env or {}
        self.log = tempfile.NamedTemporaryFile(prefix="ipfleet-serve-", suffix=".log")  # noqa: SIM115
        self.proc: subprocess.Popen[bytes] | None = None
        self.base = ""

    def start(self) -> str:
        """Start on a new free port (again, after a kill) and wait for /healthz; the base URL."""
        port = free_port()
        cmd = [str(IPFLEET), "serve", "--host", "127.0.0.1", "--port", str(port)]
        cmd += ["--workers", str(self.workers)]
        self.proc = subprocess.Popen(
            cmd,
            env=server_env(self.db_url, self.env),
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its process group holds the granian parent and workers
        )
        self.base = f"http://127.0.0.1:{port}"
        self._wait_ready()
        return self.base

    def _wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + READY_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"ipfleet serve exited with {self.proc.returncode}:\n{self.log_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            time.sleep(0.05)
        pytest.fail(f"ipfleet serve did not answer /healthz in {READY_S} s:\n{self.log_text()}")

    def kill(self) -> None:
        """SIGKILL the whole process group at once, and wait until every member is gone."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._wait_group_gone()

    def stop(self) -> None:
        """SIGTERM the group; SIGKILL what is left after STOP_S seconds."""
        if self.proc is None:
            return
        if self.proc.poll() is not None:
            self._wait_group_gone()
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=STOP_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._wait_group_gone()

    def _wait_group_gone(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + STOP_S
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.02)
        os.killpg(self.proc.pid, signal.SIGKILL)

    def log_text(self) -> str:
        """What the server wrote to stdout and stderr so far."""
        self.log.flush()
        return Path(self.log.name).read_text(encoding="utf-8", errors="replace")

    def close(self) -> None:
        self.stop()
        self.log.close()


@contextlib.contextmanager
def serving(
    db_url: str, *, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """A started server on ``db_url``, stopped (its whole group) when the block ends."""
    server = Server(db_url, workers=workers, env=env)
    try:
        server.start()
        yield server
    finally:
        server.close()
