"""One throwaway Postfix per test session, wired to ipfleet exactly as docs/mta.md says.

The session renders the fragments with the real ``ipfleet postfix render --check`` from a
seeded database, appends them to the instance's main.cf and master.cf, starts Postfix and
an SMTP sink. Each test (on each backend) seeds its own database, checks that it renders
the very same bytes, and runs a real ``ipfleet postfix socketmap`` on the port Postfix
was configured with; the queue is emptied after each test.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ipfleet.mta import postfix
from ipfleet.mta.postfix import MAIN, MASTER
from ipfleet.services.routing import mta_plan
from ipfleet.store.migrate import upgrade
from ipfleet.store.uow import Database
from tests.support.dataplane import MTA, seed
from tests.support.postfix import ThrowawayPostfix, skip_or_fail_without_postfix
from tests.support.postfix_session import Mta, Wired, render
from tests.support.server import free_port
from tests.support.smtp_sink import SmtpSink
from tests.support.socketmap import running_socketmap


@pytest.fixture(scope="session")
def postfix_mta() -> Iterator[Mta]:
    skip_or_fail_without_postfix()
    root = Path(tempfile.mkdtemp(prefix="ipfleet-postfix-"))
    root.chmod(0o755)  # the postfix user must reach the instance's directories
    port, sink_port = free_port(), free_port()
    seeded = Database(f"sqlite:///{root}/render.db")
    upgrade(seeded)
    seed(seeded)
    seeded.dispose()
    fragments = render(f"sqlite:///{root}/render.db", root / "rendered", port)
    instance = ThrowawayPostfix(root / "postfix", smtpd_port=free_port(), sink_port=sink_port)
    instance.build(fragments[MAIN].decode(), fragments[MASTER].decode())
    sink = SmtpSink(sink_port)
    sink.start()
    instance.start()
    try:
        yield Mta(instance, sink, port, fragments)
    finally:
        instance.stop()
        sink.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def wired(postfix_mta: Mta, db: Database, db_url: str) -> Iterator[Wired]:
    world = seed(db)
    # This backend's state renders exactly what the running Postfix was configured with.
    endpoint = f"inet:127.0.0.1:{postfix_mta.socketmap_port}"
    assert postfix.render(MTA, endpoint, mta_plan(db, mta=MTA).ips) == postfix_mta.fragments
    with running_socketmap(db_url, port=postfix_mta.socketmap_port) as server:
        try:
            yield Wired(postfix_mta, world, server, db, db_url)
        finally:
            postfix_mta.postfix.purge()
