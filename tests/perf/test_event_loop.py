"""Nothing blocks the event loop (issue 11; the rule is in ``api/offload.py``).

One app is one worker: one event loop serving every connection. While one request waits
on a deliberately slow database call (held at a gate until the test opens it), another
request to the same app must be answered. Were the slow call made on the loop, the loop
would sit in the gate, the second request would never be answered and the gate's wait
would time out, failing the test. v2, v3 and the dashboard, the key check (the session
check) and the reads behind it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
import pytest

from ipfleet.store.hot import HotReads
from ipfleet.store.repos import KeyRepo
from ipfleet.store.uow import Database
from tests.support.inprocess import Client
from tests.support.seed import Sub, seed_account
from tests.support.ui import sign_in

WAIT_S = 20.0


class Gate:
    """Holds the first database call made through it until ``release`` is set."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.armed = True
        self.entered = threading.Event()
        self.release = threading.Event()

    def wrap(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def gated(*args: Any, **kwargs: Any) -> Any:
            with self.lock:
                first, self.armed = self.armed, False
            if first:
                self.entered.set()
                if not self.release.wait(WAIT_S):
                    raise TimeoutError("the gate was never opened")
            return real(*args, **kwargs)

        return gated


#: Which database calls the gate holds: the key check of v2 and v3 (the dashboard's: its
#: session's key still live), or the reads after it.
SLOW_CALLS = {
    "key check": [(HotReads, "credentials"), (KeyRepo, "live_key")],
    "read": [(Database, "read"), (HotReads, "ip_page"), (HotReads, "subuser_ips")],
}


@pytest.fixture(params=sorted(SLOW_CALLS))
def gate(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    made = Gate()
    for owner, name in SLOW_CALLS[request.param]:
        monkeypatch.setattr(owner, name, made.wrap(getattr(owner, name)))
    yield made
    made.release.set()


def _urls(key: str) -> dict[str, tuple[str, dict[str, str]]]:
    v2 = urlencode({"api_user": "acme", "api_key": key, "list": "all"})
    return {
        "v2": (f"/apiv2/customer.ip.json?{v2}", {}),
        "v3": ("/v3/ips?limit=5", {"Authorization": f"Bearer {key}"}),
        "ui": ("/ui/subusers/mta", {}),  # the session cookie rides with the client
    }


async def _one_waits_other_answers(
    client: Client, slow: tuple[str, dict[str, str]], fast: tuple[str, dict[str, str]], gate: Gate
) -> None:
    waiting = asyncio.ensure_future(client.http.get(slow[0], headers=slow[1]))
    entered = await anyio.to_thread.run_sync(gate.entered.wait, WAIT_S)
    assert entered, "the slow request never reached the database"
    answered = await client.http.get(fast[0], headers=fast[1])
    assert answered.status_code == 200, answered.text
    assert not waiting.done(), "the slow request was not held at the gate"
    gate.release.set()
    held = await waiting
    assert held.status_code == 200, held.text


@pytest.mark.parametrize(
    ("slow", "fast"),
    [("v2", "v2"), ("v2", "v3"), ("v3", "v3"), ("v3", "v2"), ("ui", "v2"), ("v2", "ui")],
)
def test_a_request_answers_while_another_waits_on_the_database(
    db: Database, make_client: Callable[..., Client], gate: Gate, slow: str, fast: str
) -> None:
    gate.armed = False  # seeding reads the database too
    _, key = seed_account(
        db, "acme", ips=["192.0.2.8/30"], subusers={"mta": Sub(held=["192.0.2.9"])}
    )
    client = make_client(v2_http_errors=True)
    sign_in(client, "acme", key)
    urls = _urls(key)
    gate.armed = True
    client.portal.call(_one_waits_other_answers, client, urls[slow], urls[fast], gate)
    assert not gate.armed  # the gate did hold a call
