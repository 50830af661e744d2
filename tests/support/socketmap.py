"""A real `ipfleet postfix socketmap` process, and a blocking client for its protocol."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.server import free_port, server_env

EXE = Path(sys.executable).parent / "ipfleet"


@dataclass
class Socketmap:
    """A running server: its port, its process and everything it logged."""

    port: int
    proc: subprocess.Popen[bytes]
    log_file: Path

    def log(self) -> str:
        return self.log_file.read_text(errors="replace")

    @property
    def endpoint(self) -> str:
        return f"inet:127.0.0.1:{self.port}"


class Client:
    """One connection; ``lookup`` sends a request and returns the reply's text."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def lookup(self, name: str, key: str) -> str:
        payload = f"{name} {key}".encode()
        self.sock.sendall(b"%d:%s," % (len(payload), payload))
        return self.reply()

    def reply(self) -> str:
        while b":" not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(b":")
        length = int(head)
        while len(self.buffer) < length + 1:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length + 1 :]
        return body.decode()

    def closed_by_server(self) -> bool:
        return self.sock.recv(1) == b""

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the socketmap server closed the connection")
        self.buffer += chunk


def lookup(port: int, name: str, key: str) -> str:
    """One lookup on a fresh connection."""
    client = Client(port)
    try:
        return client.lookup(name, key)
    finally:
        client.close()


@contextlib.contextmanager
def running_socketmap(db_url: str, *extra: str, port: int | None = None) -> Iterator[Socketmap]:
    """`ipfleet postfix socketmap` on ``port`` (default: a free one) against ``db_url``,
    stopped with SIGTERM."""
    port = port or free_port()
    env = server_env(db_url, {"IPFLEET_LOG_LEVEL": "warning"})
    with tempfile.NamedTemporaryFile(prefix="socketmap-", suffix=".log", delete=False) as log:
        log_file = Path(log.name)
    with log_file.open("wb") as out:
        proc = subprocess.Popen(
            [str(EXE), "postfix", "socketmap", "--host", "127.0.0.1", "--port", str(port), *extra],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Socketmap(port, proc, log_file)
    try:
        _wait_ready(server)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log_file.unlink(missing_ok=True)


def _wait_ready(server: Socketmap) -> None:
    deadline = time.monotonic() + 30
    while True:
        if server.proc.poll() is not None:
            raise AssertionError(f"ipfleet postfix socketmap exited early:\n{server.log()}")
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"ipfleet postfix socketmap did not listen within 30 s:\n{server.log()}"
                ) from None
            time.sleep(0.1)
