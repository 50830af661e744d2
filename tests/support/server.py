"""A real `ipfleet serve` in its own process group, so a test can SIGKILL it and its workers."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

READY_S = 60.0


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One `ipfleet serve` process (granian parent and workers) on a free port."""

    def __init__(self, db_url: str, *, workers: int = 1, env: dict[str, str] | None = None):
        self.db_url, self.workers, self.env = db_url, workers, env or {}
        self.log = tempfile.NamedTemporaryFile(prefix="ipfleet-serve-", suffix=".log")  # noqa: SIM115
        self.proc: subprocess.Popen[bytes] | None = None
        self.base = ""

    def start(self) -> str:
        port = free_port()
        exe = Path(sys.executable).parent / "ipfleet"
        cmd = [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port)]
        cmd += ["--workers", str(self.workers)]
        env = {**os.environ, "IPFLEET_DATABASE_URL": self.db_url, **self.env}
        # A session of its own: its process group holds the granian parent and its workers.
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.base = f"http://127.0.0.1:{port}"
        self._wait_ready()
        return self.base

    def _wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + READY_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"ipfleet serve exited early:\n{self.log_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            time.sleep(0.05)
        raise AssertionError(f"ipfleet serve did not answer /healthz:\n{self.log_text()}")

    def kill(self) -> None:
        """SIGKILL the whole process group at once, and wait until every member is gone."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._wait_group_gone()

    def stop(self) -> None:
        """SIGTERM the group; SIGKILL what is left after 10 s."""
        if self.proc is None or self.proc.poll() is not None:
            self._wait_group_gone()
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._wait_group_gone()

    def _wait_group_gone(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.02)
        os.killpg(self.proc.pid, signal.SIGKILL)

    def log_text(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(encoding="utf-8", errors="replace")

    def close(self) -> None:
        self.stop()
        self.log.close()


@contextlib.contextmanager
def serving(
    db_url: str, *, workers: int = 1, env: dict[str, str] | None = None
) -> Iterator[Server]:
    server = Server(db_url, workers=workers, env=env)
    try:
        server.start()
        yield server
    finally:
        server.close()
