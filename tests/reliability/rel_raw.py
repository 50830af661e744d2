"""Raw HTTP/1.1 over a socket, for what no HTTP client library will send: bodies trickled a
byte at a time, broken chunked framing, a body announced and never sent."""

from __future__ import annotations

import json
import select
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Raw:
    """One answer read off a socket."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def connect(base: str) -> socket.socket:
    url = urlsplit(base)
    return socket.create_connection((url.hostname or "127.0.0.1", url.port or 80), timeout=60)


def head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: test", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def read_answer(sock: socket.socket, timeout: float = 30.0) -> Raw:
    """Read one answer (the server sends a content-length); fail after ``timeout`` s."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed without an answer: {data!r}")
        data += chunk
    top, _, rest = data.partition(b"\r\n\r\n")
    status_line, *header_lines = top.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return Raw(int(status_line.split()[1]), headers, rest[:length])


def send_raw(base: str, request: bytes) -> Raw:
    """Send ``request`` as it is and read the answer."""
    with connect(base) as sock:
        sock.sendall(request)
        return read_answer(sock)


def trickle(base: str, request_head: bytes, body: bytes, every_s: float = 1.0) -> tuple[Raw, int]:
    """Send the head, then the body a byte every ``every_s`` seconds until the server
    answers: the answer, and how many body bytes had been sent by then."""
    with connect(base) as sock:
        sock.sendall(request_head)
        for sent in range(len(body)):
            readable, _, _ = select.select([sock], [], [], every_s)
            if readable:
                return read_answer(sock), sent
            try:
                sock.sendall(body[sent : sent + 1])
            except OSError:  # the server cut the connection: its answer may be waiting
                return read_answer(sock), sent
        return read_answer(sock), len(body)


def elapsed(since: float) -> float:
    return time.monotonic() - since
