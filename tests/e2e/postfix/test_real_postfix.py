"""Proof with a real Postfix (issue 9, item 8): mail leaves from exactly ipfleet's IPs.

Debian's Postfix 3.7 delivers through the rendered transports to an SMTP sink that
records each delivery's peer address and HELO; ``ipfleet postfix socketmap`` answers
every lookup from the database (SQLite and PostgreSQL). Waits are bounded and say what
Postfix's queue and log held when they give up.
"""

from __future__ import annotations

import smtplib
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager

import httpx
import pytest

from ipfleet.services import subusers
from ipfleet.services.subusers import SetMode
from tests.support.dataplane import ACTOR, HELD, HOSTNAMES, ON_MTA1, set_active
from tests.support.postfix import HOSTNAME
from tests.support.postfix_session import Wired
from tests.support.smtp_sink import Delivery
from tests.support.socketmap import running_socketmap
from tests.support.stats import assert_uniform

pytestmark = pytest.mark.postfix

WAIT_S = 60


def tag() -> str:
    return uuid.uuid4().hex[:10]


def helo_of(address: str) -> str:
    return HOSTNAMES.get(address, HOSTNAME)  # no host name: Postfix's $myhostname


def send(wired: Wired, sender: str, count: int) -> dict[str, Delivery]:
    """``count`` messages from ``sender`` to distinct recipients; their deliveries."""
    run = tag()
    messages = [(f"r{i}-{run}@dest.test", f"{run}-{i}") for i in range(count)]
    wired.mta.postfix.submit_many(sender, messages)
    pf = wired.mta.postfix
    return wired.mta.sink.wait_for([s for _, s in messages], WAIT_S, pf.diagnosis)


def test_subuser_mail_leaves_only_from_its_ips_uniformly(wired: Wired) -> None:
    deliveries = send(wired, "news@bob.test", 200)
    for d in deliveries.values():
        assert d.peer in HELD["bob"], d
        assert d.helo == helo_of(d.peer), d
    assert_uniform(Counter(d.peer for d in deliveries.values()), HELD["bob"])


def test_account_domain_sends_from_every_account_ip_on_this_mta(wired: Wired) -> None:
    deliveries = send(wired, "hello@acme.test", 40)
    assert {d.peer for d in deliveries.values()} <= set(ON_MTA1)
    assert all(d.helo == helo_of(d.peer) for d in deliveries.values())
    log = wired.mta.postfix.log_tail(100_000)
    for peer in {d.peer for d in deliveries.values()}:  # each transport logs under its IP
        assert f"postfix/ipfleet-{peer}/smtp[" in log


def test_a_v2_change_applies_to_the_next_message_without_touching_postfix(
    wired: Wired, serve: Callable[..., AbstractContextManager[str]]
) -> None:
    pid = wired.mta.postfix.master_pid()
    assert {d.peer for d in send(wired, "a@bob.test", 6).values()} <= set(HELD["bob"])
    with serve(wired.db_url) as base:
        answer = httpx.post(
            f"{base}/apiv2/customer.sendip.json",
            data={
                "api_user": "acme",
                "api_key": wired.world.api_key,
                "task": "append",
                "user": "bob",
                "set": "specify",
                "ip[]": ["127.0.0.6"],
            },
            timeout=30,
        )
        assert answer.json() == {"message": "success"}, answer.text
    (after,) = send(wired, "b@bob.test", 1).values()
    assert (after.peer, after.helo) == ("127.0.0.6", "out6.acme.test")
    assert wired.mta.postfix.master_pid() == pid  # no restart, no reload


def test_unknown_sender_takes_postfix_default(wired: Wired) -> None:
    for d in send(wired, "someone@stranger.test", 3).values():
        assert (d.peer, d.helo) == ("127.0.0.1", HOSTNAME)  # no bind address, no ipfleet HELO


@pytest.mark.parametrize(
    ("sender", "reason"),
    [
        ("x@dave.test", "sender has no sending IP on mta1"),  # dave's only IP is on mta2
        ("x@carol.test", "sender is deactivated"),
    ],
)
def test_deferred_senders_are_refused_with_450(wired: Wired, sender: str, reason: str) -> None:
    if "carol" in sender:
        set_active(wired.db, "carol", False)
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        wired.mta.postfix.submit(sender, f"r-{tag()}@dest.test", tag())
    ((code, text),) = refused.value.recipients.values()
    assert code == 450
    assert "4.7.0" in text.decode()
    assert reason in text.decode()


def test_deactivated_mail_stays_queued_then_leaves_from_its_ips(wired: Wired) -> None:
    pf, sink = wired.mta.postfix, wired.mta.sink
    set_active(wired.db, "carol", False)
    held = tag()
    pf.sendmail("x@carol.test", f"r-{held}@dest.test", held)  # queued whatever routing says
    queued = wait_deferred(wired, "sender is deactivated")
    time.sleep(2)  # several retries (queue_run_delay 1s) must still not deliver it
    assert sink.find(held) == []
    assert all(d.mail_from != "" for d in sink.deliveries())  # no bounce was sent
    assert [m["queue_id"] for m in pf.queued()] == [queued]
    set_active(wired.db, "carol", True)
    # The queue manager caches its last (sender, recipient) resolution; one other message
    # moves it on, as any live traffic does.
    send(wired, "probe@stranger.test", 1)
    pf.flush()
    (delivered,) = sink.wait_for([held], WAIT_S, pf.diagnosis).values()
    assert (delivered.peer, delivered.helo) == ("127.0.0.5", HOSTNAME)
    assert "status=bounced" not in pf.log_tail(10_000)


def wait_deferred(wired: Wired, reason: str) -> str:
    """The queue id of the one message deferred for ``reason``; fails after WAIT_S."""
    pf = wired.mta.postfix
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        for message in pf.queued():
            if any(
                "delay_reason" in r and reason in r["delay_reason"] for r in message["recipients"]
            ):
                return str(message["queue_id"])
        time.sleep(0.2)
    raise AssertionError(f"no message deferred for {reason!r} within {WAIT_S} s\n{pf.diagnosis()}")


def test_set_change_through_services_is_seen_by_postfix(wired: Wired) -> None:
    subusers.set_subuser_ips(
        wired.db, account=wired.world.account, username="bob", mode=SetMode.SPECIFY,
        ips=["127.0.0.2"], actor=ACTOR,
    )  # fmt: skip
    assert {d.peer for d in send(wired, "c@bob.test", 5).values()} == {"127.0.0.2"}


def test_while_ipfleet_is_down_postfix_defers_and_loses_nothing(wired: Wired) -> None:
    pf, sink = wired.mta.postfix, wired.mta.sink
    wired.socketmap.proc.terminate()
    assert wired.socketmap.proc.wait(timeout=10) == 0
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        pf.submit("x@bob.test", f"r-{tag()}@dest.test", tag())
    ((code, text),) = refused.value.recipients.values()
    assert (code, b"Temporary lookup failure" in text) == (451, True), text
    held = tag()
    pf.sendmail("x@bob.test", f"r-{held}@dest.test", held)
    wait_deferred(wired, "address resolver failure")
    time.sleep(2)
    assert sink.find(held) == []
    with running_socketmap(wired.db_url, port=wired.mta.socketmap_port):
        send(wired, "probe@stranger.test", 1)  # moves the queue manager's cached resolution on
        pf.flush()
        (delivered,) = sink.wait_for([held], WAIT_S, pf.diagnosis).values()
    assert delivered.peer in HELD["bob"]
    assert delivered.helo == helo_of(delivered.peer)
