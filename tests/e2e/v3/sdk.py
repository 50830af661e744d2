"""The end-to-end v3 harness: the server under test, SDK clients, answer recording.

The ``sdk``
fixture hands out official ``sendgrid`` clients on that server and records
every answer they get (by wrapping python_http_client's one request method, which still
makes the real request). When the test ends, every recorded answer is checked against
SendGrid's OpenAPI files (or a deviation listed in docs/v3.md) and against ipfleet's own
/v3/openapi.json.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sendgrid import SendGridAPIClient

from tests.support.oai import (
    Deviation,
    Exchange,
    check,
    check_own,
    documented_deviations,
    operations_of,
    sendgrid_documents,
)
from tests.support.v3_world import ACME, World

BIN = Path(sys.executable).parent


@dataclass
class Server:
    base_url: str
    world: World
    db_url: str

    def get_json(self, path: str, **params: Any) -> Any:
        query = urllib.parse.urlencode(params, doseq=True)
        url = f"{self.base_url}{path}" + (f"?{query}" if query else "")
        with urllib.request.urlopen(url, timeout=10) as r:
            return json.loads(r.read())


class Replay:
    """What python_http_client's Response reads, after the recorder has read it once."""

    def __init__(self, status: int, body: bytes, headers: Any) -> None:
        self.status, self.body, self.headers = status, body, headers

    def getcode(self) -> int:
        return self.status

    def read(self) -> bytes:
        return self.body

    def info(self) -> Any:
        return self.headers


@dataclass
class Sdk:
    """Official SendGrid clients on the server, and every answer they were given."""

    server: Server
    exchanges: list[Exchange] = field(default_factory=list)

    def client(
        self, account: str = ACME, *, key: str | None = None, on_behalf_of: str | None = None
    ) -> SendGridAPIClient:
        return SendGridAPIClient(
            api_key=key or self.server.world.keys[account],
            host=self.server.base_url,
            impersonate_subuser=on_behalf_of,
        )

    def record(self, request: urllib.request.Request, status: int, body: bytes) -> None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(request.full_url).path)
        self.exchanges.append(Exchange(request.get_method(), path, status, body))

    def problems(self, used: set[Deviation] | None = None) -> list[str]:
        """Every recorded answer that neither matches SendGrid's schema nor a listed
        deviation, or does not match ipfleet's own document."""
        used = set() if used is None else used
        deviations = documented_deviations()
        theirs = [o for doc in sendgrid_documents() for o in operations_of(doc)]
        own = operations_of(self.server.get_json("/v3/openapi.json"))
        found: list[str] = []
        for ex in self.exchanges:
            against_theirs = check(theirs, ex, deviations, used)
            found.extend(against_theirs or [])
            found.extend(check_own(own, ex))
        return found


def not_served_calls(sg: Any) -> list[tuple[str, Callable[[], Any]]]:
    """Every subuser operation of SendGrid's file that ipfleet does not serve."""
    subs, alice = sg.client.subusers, sg.client.subusers._("alice")
    month = {"date": "2024-01-01", "sort_by_metric": "delivered"}
    return [
        ("reputations", lambda: subs.reputations.get(query_params={"usernames": "alice"})),
        ("statistics", lambda: subs.stats.get(query_params={"start_date": "2024-01-01"})),
        ("statistics", lambda: subs.stats.monthly.get(query_params=month)),
        ("statistics", lambda: subs.stats.sums.get(query_params={"start_date": "2024-01-01"})),
        ("credits", alice.credits.get),
        ("credits", lambda: alice.credits.put(request_body={"type": "unlimited"})),
        ("credits", lambda: alice.credits.remaining.patch(request_body={"allocation_update": 1})),
        ("statistics", lambda: alice.stats.monthly.get(query_params=month)),
    ]
