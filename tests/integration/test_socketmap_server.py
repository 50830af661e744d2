"""`ipfleet postfix socketmap` as a real process on both backends: answers from the stored
state, a write applies to the very next lookup of every instance, TEMP while the database
cannot answer (logged once, no traceback), a clean exit on SIGTERM."""

from __future__ import annotations

import signal

import httpx
from sqlalchemy import text

from ipfleet.domain.routing import transport_name
from ipfleet.services import send_ips, subusers
from ipfleet.services.subusers import SetMode
from ipfleet.store.uow import Database
from tests.support.dataplane import ACTOR, MTA, ON_MTA1, seed, set_active
from tests.support.metrics import sample
from tests.support.server import free_port
from tests.support.socketmap import Client, lookup, running_socketmap

OK = {f"OK {transport_name(a)}:" for a in ON_MTA1}


def test_answers_from_the_stored_state(db: Database, db_url: str) -> None:
    seed(db)
    with running_socketmap(db_url) as server:
        client = Client(server.port)
        bob = {client.lookup(MTA, "news@bob.test") for _ in range(60)}
        assert bob == {f"OK {transport_name(a)}:" for a in ("127.0.0.2", "127.0.0.3", "127.0.0.4")}
        assert client.lookup(MTA, "x@carol.test") == "OK ipfleet-127-0-0-5:"
        assert client.lookup(MTA, "x@dave.test") == (
            "OK retry:4.7.0 sender has no sending IP on mta1"
        )
        assert client.lookup("mta2", "x@dave.test") == "OK ipfleet-127-0-0-9:"
        assert {client.lookup(MTA, "x@ACME.test") for _ in range(80)} == OK
        for nobody in ("x@stranger.test", "<>", "", "no-at-sign"):
            assert client.lookup(MTA, nobody) == "NOTFOUND "
        assert client.lookup("unknown-mta", "x@bob.test") == (
            "OK retry:4.7.0 sender has no sending IP on unknown-mta"
        )
        client.close()


def test_two_instances_see_a_write_on_the_next_lookup(db: Database, db_url: str) -> None:
    world = seed(db)
    with running_socketmap(db_url) as one, running_socketmap(db_url) as two:
        assert lookup(one.port, MTA, "x@carol.test") == "OK ipfleet-127-0-0-5:"
        assert lookup(two.port, MTA, "x@carol.test") == "OK ipfleet-127-0-0-5:"
        kept = [Client(one.port), Client(two.port)]  # connections open across the write
        set_active(db, "carol", False)
        for client in kept:
            assert client.lookup(MTA, "x@carol.test") == "OK retry:4.7.0 sender is deactivated"
        set_active(db, "carol", True)
        subusers.set_subuser_ips(
            db, account=world.account, username="carol", mode=SetMode.SPECIFY,
            ips=["127.0.0.6"], actor=ACTOR,
        )  # fmt: skip
        for client in kept:
            assert client.lookup(MTA, "x@carol.test") == "OK ipfleet-127-0-0-6:"
            client.close()


def test_send_ips_settings_apply_to_the_next_lookup(db: Database, db_url: str) -> None:
    """`is_enabled: false` (PATCH /v3/send_ips/ips/{ip}) takes an IP out of every choice;
    `is_parent_assigned: false` out of the account's own mail only."""
    world = seed(db)

    def change(address: str, **settings: bool) -> None:
        send_ips.update_send_ip(
            db,
            account=world.account,
            address=address,
            changes=send_ips.SendIpChanges(**settings),
            actor=ACTOR,
        )

    with running_socketmap(db_url) as server:
        client = Client(server.port)
        change("127.0.0.3", enabled=False)
        bob = {client.lookup(MTA, "news@bob.test") for _ in range(60)}
        assert bob == {f"OK {transport_name(a)}:" for a in ("127.0.0.2", "127.0.0.4")}
        acme = {client.lookup(MTA, "x@acme.test") for _ in range(80)}
        assert acme == OK - {f"OK {transport_name('127.0.0.3')}:"}
        change("127.0.0.5", enabled=False)
        assert client.lookup(MTA, "x@carol.test") == (
            "OK retry:4.7.0 sender has no sending IP on mta1"
        )
        change("127.0.0.2", parent_assigned=False)
        acme = {client.lookup(MTA, "x@acme.test") for _ in range(60)}
        assert acme == {f"OK {transport_name(a)}:" for a in ("127.0.0.4", "127.0.0.6")}
        assert "OK ipfleet-127-0-0-2:" in {client.lookup(MTA, "x@bob.test") for _ in range(60)}
        change("127.0.0.3", enabled=True)
        assert "OK ipfleet-127-0-0-3:" in {client.lookup(MTA, "x@bob.test") for _ in range(60)}
        client.close()


def test_temp_while_the_database_cannot_answer(db: Database, db_url: str) -> None:
    seed(db)
    with running_socketmap(db_url) as server:
        client = Client(server.port)
        assert client.lookup(MTA, "x@carol.test") == "OK ipfleet-127-0-0-5:"
        with db.engine.begin() as conn:  # the table every lookup reads disappears
            conn.execute(text("ALTER TABLE sending_domains RENAME TO sending_domains_away"))
        try:
            for _ in range(3):
                reply = client.lookup(MTA, "y@carol.test")
                assert reply.startswith("TEMP ipfleet cannot decide now: "), reply
        finally:
            with db.engine.begin() as conn:
                conn.execute(text("ALTER TABLE sending_domains_away RENAME TO sending_domains"))
        assert client.lookup(MTA, "z@carol.test") == "OK ipfleet-127-0-0-5:"
        client.close()
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(timeout=10) == 0
        log = server.log()
    assert log.count("WARNING") == 2, log  # failing (once, with the cause), then recovered
    assert "lookups answer TEMP until this clears" in log
    assert "lookups answer again" in log
    assert "Traceback" not in log


def test_metrics_count_every_lookup_by_outcome(db: Database, db_url: str) -> None:
    seed(db)
    metrics_port = free_port()
    with running_socketmap(db_url, "--metrics-listen", f"127.0.0.1:{metrics_port}") as server:
        client = Client(server.port)
        for sender, times in [("x@carol.test", 3), ("x@dave.test", 2), ("x@stranger.test", 1)]:
            for _ in range(times):
                client.lookup(MTA, sender)
        client.close()
        malformed = Client(server.port)
        malformed.send_raw(b"13:mta1 a@b.test;")
        assert malformed.reply().startswith("PERM ")
        malformed.close()
        page = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10)
        assert "metrics at http://127.0.0.1:" in server.log()
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    counted = {
        outcome: sample(page.text, "ipfleet_socketmap_lookups_total", outcome=outcome)
        for outcome in ("send", "defer", "notfound", "temp", "perm")
    }
    assert counted == {"send": 3, "defer": 2, "notfound": 1, "temp": 0, "perm": 1}
    assert sample(page.text, "ipfleet_socketmap_lookup_seconds_count") == 6
