"""The servers under test: the real ``ipfleet serve``, and the floor under the same server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
BIN = Path(sys.executable).parent


@dataclass(frozen=True, slots=True)
class Server:
    proc: subprocess.Popen[bytes]
    base: str
    log: Path

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: every descendant of the server process."""
        return _descendants(self.proc.pid)

    def peak_rss_mb(self) -> list[float]:
        """Peak resident memory (VmHWM) of each worker so far, in MB."""
        return [_vm_hwm_kb(pid) / 1024 for pid in self.worker_pids()]


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    content_type: str
    body: bytes


def fetch(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
    """One HTTP request (GET, or POST of a form when ``data`` is given)."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return Answer(response.status, response.headers["content-type"], response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.headers.get("content-type", ""), exc.read())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _env(database_url: str, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPFLEET_")}
    env.update(
        IPFLEET_DATABASE_URL=database_url,
        # Errors as real HTTP statuses, so wrk counts them as non-2xx.
        IPFLEET_V2_HTTP_ERRORS="true",
        IPFLEET_LOG_LEVEL="warning",
        **extra,
    )
    return env


def _start(cmd: list[str], env: dict[str, str], log: Path, port: int, probe: str) -> Server:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=Path(__file__).parent.parent,
        )
    server = Server(proc, f"http://{HOST}:{port}", log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if fetch(server.base + probe).status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    stop(server)
    raise RuntimeError(f"server did not answer within 60 s:\n{log.read_text()}")


def stop(server: Server) -> None:
    """Stop the server and its workers (its own process group: only what we started)."""
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGINT)
        try:
            server.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.proc.pid, signal.SIGKILL)
            server.proc.wait()


@contextmanager
def ipfleet(database_url: str, workers: int, log_dir: Path, name: str) -> Iterator[Server]:
    """``ipfleet serve`` on a free loopback port, for the length of the block."""
    port = free_port()
    cmd = [str(BIN / "ipfleet"), "serve", "--host", HOST, "--port", str(port)]
    cmd += ["--workers", str(workers)]
    log = log_dir / f"ipfleet-{name}.log"
    server = _start(cmd, _env(database_url, {}), log, port, "/healthz")
    try:
        yield server
    finally:
        stop(server)


@contextmanager
def floor(
    database_url: str, workers: int, log_dir: Path, name: str, body: bytes, content_type: str
) -> Iterator[Server]:
    """The floor app answering ``body``, served the way ``ipfleet serve`` serves ipfleet."""
    body_file = log_dir / f"floor-{name}.body"
    type_file = log_dir / f"floor-{name}.type"
    log_dir.mkdir(parents=True, exist_ok=True)
    body_file.write_bytes(body)
    type_file.write_text(content_type)
    port = free_port()
    cmd = [sys.executable, "-m", "bench.floor", HOST, str(port), str(workers)]
    env = _env(
        database_url, {"BENCH_FLOOR_BODY": str(body_file), "BENCH_FLOOR_TYPE": str(type_file)}
    )
    server = _start(cmd, env, log_dir / f"floor-{name}.log", port, "/")
    try:
        answer = fetch(server.base + "/")
        if answer.body != body or answer.content_type != content_type:
            raise RuntimeError("the floor does not answer the body it was given")
        yield server
    finally:
        stop(server)


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # The command name may hold spaces and parentheses; the ppid follows the last ")".
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        children = [child for child, parent in parents.items() if parent == current]
        found.extend(children)
        todo.extend(children)
    return sorted(found)


def _vm_hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0
