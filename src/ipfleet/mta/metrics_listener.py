"""The socketmap process's own ``/metrics``: Prometheus scrapes each MTA host's socketmap
server where it runs, as it scrapes ``ipfleet serve``.

A small threaded WSGI server from the standard library (prometheus-client's own choice),
answering ``GET /metrics`` only, with the same access rule as ``ipfleet serve``: the
``IPFLEET_METRICS_TOKEN`` bearer token when set, else loopback clients only.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client.exposition import ThreadingWSGIServer

from ipfleet import prometheus

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class _QuietHandler(WSGIRequestHandler):
    timeout = 10  # seconds a scraper may stay silent before its connection is closed

    def log_message(self, format: str, *args: Any) -> None:
        """No line per scrape on stderr: the socketmap's log is for its own events."""


class _IPv6Server(ThreadingWSGIServer):
    address_family = socket.AF_INET6


def metrics_app(token: str | None) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI application answering ``GET /metrics``."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            return _plain(start_response, "404 Not Found", b"only /metrics is served here\n")
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _plain(start_response, "405 Method Not Allowed", b"GET /metrics\n")
        sent = str(environ.get("HTTP_AUTHORIZATION", "")).encode("latin-1")
        if not prometheus.may_scrape(sent, environ.get("REMOTE_ADDR"), token):
            if token:
                return _plain(start_response, "401 Unauthorized", b"metrics need the token\n")
            return _plain(start_response, "403 Forbidden", b"loopback clients only\n")
        body = prometheus.exposition()
        start_response(
            "200 OK",
            [("Content-Type", f"{prometheus.CONTENT_TYPE}; charset=utf-8"),
             ("Content-Length", str(len(body)))],
        )  # fmt: skip
        return [body]

    return app


def _plain(start_response: StartResponse, status: str, text: bytes) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(text)))])
    return [text]


def start_metrics_listener(host: str, port: int, token: str | None) -> WSGIServer:
    """Serve ``/metrics`` on ``host:port`` from a daemon thread; returns the server (its
    ``server_port`` is the bound port, useful when ``port`` is 0)."""
    server_class = _IPv6Server if ":" in host else ThreadingWSGIServer
    server = make_server(host, port, metrics_app(token), server_class, _QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
