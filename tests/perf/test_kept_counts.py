"""The kept IP counts (migration 0010) equal a real ``count(*)`` after every write.

A lever for speed (issue 11): a take and ``remaining_ips`` read ``accounts.ip_count`` and
``inventory_counts.free_ips`` instead of counting the IPs, so a trigger that misses one
way an IP is added, moved or removed would answer wrong quotas from then on. A random mix
of writes goes through every path that adds, moves or removes an IP (v3 ``POST /v3/ips``
and ``POST /v3/send_ips/ips``, the operator's inventory import and removal, direct
additions, removals and returns to the inventory, the operator's take) and through v2
subuser writes (a subuser made, given IPs and deleted), refusals among them; after each
write the kept counts are compared with a real count. The comparison is held too: with
any one of the three triggers broken, the same mix fails it.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from ipfleet.domain.addresses import parse_address, sort_key
from ipfleet.domain.errors import IpfleetError
from ipfleet.services import inventory, ips
from ipfleet.services.accounts import get_account
from ipfleet.services.quota import offer, set_quota
from ipfleet.store.tables import accounts, ip_addresses
from ipfleet.store.uow import Database, WriteUnit
from tests.support.db import ACTOR, kept_count_differences
from tests.support.inprocess import Client, V2Forms
from tests.support.seed import Acct, make_account
from tests.support.v2_bodies import subuser_form

UNIVERSE = [f"10.9.0.{n}" for n in range(40)]  # the addresses the mix moves around
STEPS = 90


class Mix:
    """Random writes by two accounts and the operator, through every path."""

    def __init__(self, db: Database, client: Client, rng: random.Random) -> None:
        self.db, self.client, self.rng = db, client, rng
        self.v2 = V2Forms(client)
        self.accts = [make_account(db, name, ip_quota=12) for name in ("acme", "other")]
        self.subusers = 0

    def some(self, most: int = 4) -> list[str]:
        return self.rng.sample(UNIVERSE, self.rng.randint(1, most))

    def on(self, acct: Acct) -> list[str]:
        return [ip for ip, n in ips_by_owner(self.db).items() if n == acct.name]

    def free(self) -> list[str]:
        return [ip for ip, n in ips_by_owner(self.db).items() if n is None]

    def pick(self, among: list[str]) -> list[str]:
        return self.rng.sample(among, self.rng.randint(1, len(among))) if among else []

    def steps(self) -> list[Callable[[Acct], Any]]:
        return [
            lambda a: inventory.add_to_inventory(self.db, specs=self.some(6), actor=ACTOR),
            lambda a: inventory.remove_from_inventory(
                self.db, addresses=self.pick(self.free()) or self.some(), actor=ACTOR
            ),
            lambda a: ips.add_ips(self.db, account=self.account(a), specs=self.some(), actor=ACTOR),
            lambda a: self.leave(a, ips.remove_ips, release=True),
            lambda a: self.leave(a, ips.release_ips, force=True),
            lambda a: inventory.take_ips(
                self.db, account=self.account(a), count=self.rng.randint(1, 3), actor=ACTOR
            ),
            lambda a: self.v3(a, "/v3/ips", {"count": self.rng.randint(1, 3)}),
            lambda a: self.v3(
                a, "/v3/send_ips/ips", {"is_auto_warmup": False, "is_parent_assigned": True}
            ),
            lambda a: set_quota(
                self.db, account=self.account(a), quota=self.rng.randint(0, 14), actor=ACTOR
            ),
            self.v2_subuser,
        ]

    def account(self, acct: Acct) -> Any:
        return get_account(self.db, username=acct.name)

    def leave(self, acct: Acct, how: Callable[..., Any], **flag: bool) -> None:
        picked = self.pick(self.on(acct))
        if picked:
            how(self.db, account=self.account(acct), addresses=picked, actor=ACTOR, **flag)

    def v3(self, acct: Acct, path: str, body: dict[str, Any]) -> None:
        answer = self.client.post(path, json=body, headers={"Authorization": f"Bearer {acct.key}"})
        assert answer.status_code in (201, 400), answer.text
        if answer.status_code == 201 and path == "/v3/ips":
            remaining = offer(self.db, account=self.account(acct)).remaining
            assert answer.json()["remaining_ips"] == remaining

    def v2_subuser(self, acct: Acct) -> None:
        """A v2 subuser made, given some of the account's IPs, and deleted (its holdings
        go with it); none of it moves an IP."""
        self.subusers += 1
        name = f"{acct.name}-s{self.subusers}"
        made = self.v2.call("customer.add", "json", acct, **subuser_form(name, "Correct-horse-9"))
        assert made.status_code == 200, made.text
        given = self.pick(self.on(acct))
        if given:
            self.v2.call(
                "customer.sendip", "json", acct, task="append", set="specify", user=name, ip=given
            )
        gone = self.v2.call("customer.delete", "json", acct, user=name)
        assert gone.status_code == 200, gone.text

    def run(self, check: Callable[[str], None]) -> None:
        steps = self.steps()
        # Every step once first, so a short mix still takes every path; then at random.
        order = list(range(len(steps))) + [
            self.rng.randrange(len(steps)) for _ in range(STEPS - len(steps))
        ]
        for n in order:
            # A refusal (the quota, an address elsewhere) must leave the counts as they were.
            with contextlib.suppress(IpfleetError):
                steps[n](self.rng.choice(self.accts))
            check(f"step {n}")


def ips_by_owner(db: Database) -> dict[str, str | None]:
    stmt = select(ip_addresses.c.address, accounts.c.username).select_from(
        ip_addresses.outerjoin(accounts)
    )
    with db.engine.connect() as conn:
        return {str(address): owner for address, owner in conn.execute(stmt)}


@pytest.mark.parametrize("seed", [1, 2])
def test_kept_counts_equal_real_counts_after_every_write(
    db: Database, make_client: Callable[..., Client], seed: int
) -> None:
    mix = Mix(db, make_client(v2_http_errors=True), random.Random(seed))

    def check(after: str) -> None:
        assert kept_count_differences(db) == [], after

    mix.run(check)


# One trigger broken at a time, in each dialect: the mix must notice.
BROKEN = {
    "delete-forgets": {
        "sqlite": ["DROP TRIGGER ip_counts_delete"],
        "postgresql": ["DROP TRIGGER ip_counts_delete ON ip_addresses"],
    },
    "move-forgets-the-old-owner": {
        "sqlite": [
            "DROP TRIGGER ip_counts_update",
            "CREATE TRIGGER ip_counts_update AFTER UPDATE OF account_id ON ip_addresses"
            " FOR EACH ROW WHEN OLD.account_id IS NOT NEW.account_id BEGIN"
            " UPDATE accounts SET ip_count = ip_count + 1 WHERE id = NEW.account_id;"
            " UPDATE inventory_counts SET free_ips = free_ips + 1"
            " WHERE id = 1 AND NEW.account_id IS NULL; END",
        ],
        "postgresql": [
            "CREATE OR REPLACE FUNCTION ip_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN UPDATE accounts a SET ip_count = a.ip_count + d.n FROM (SELECT account_id,"
            " count(*) AS n FROM added GROUP BY account_id) d WHERE a.id = d.account_id;"
            " UPDATE inventory_counts SET free_ips = free_ips"
            " + (SELECT count(*) FROM added WHERE account_id IS NULL) WHERE id = 1;"
            " RETURN NULL; END $$"
        ],
    },
    "insert-forgets-the-inventory": {
        "sqlite": [
            "DROP TRIGGER ip_counts_insert",
            "CREATE TRIGGER ip_counts_insert AFTER INSERT ON ip_addresses FOR EACH ROW BEGIN"
            " UPDATE accounts SET ip_count = ip_count + 1 WHERE id = NEW.account_id; END",
        ],
        "postgresql": [
            "CREATE OR REPLACE FUNCTION ip_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN UPDATE accounts a SET ip_count = a.ip_count + d.n FROM (SELECT account_id,"
            " count(*) AS n FROM added GROUP BY account_id) d WHERE a.id = d.account_id;"
            " RETURN NULL; END $$"
        ],
    },
}


@pytest.mark.parametrize("broken", list(BROKEN))
def test_a_broken_trigger_fails_the_comparison(
    db: Database, make_client: Callable[..., Client], broken: str
) -> None:
    with db.engine.begin() as conn:
        for statement in BROKEN[broken][db.engine.dialect.name]:
            conn.exec_driver_sql(statement)
    mix = Mix(db, make_client(v2_http_errors=True), random.Random(1))
    seen: list[str] = []
    mix.run(lambda after: seen.extend(kept_count_differences(db)))
    assert seen, f"{broken}: the mix did not notice"


@pytest.mark.postgres
def test_an_import_updates_the_inventory_counter_once_per_statement(postgres_url: str) -> None:
    """PostgreSQL: a bulk insert of IPs is one statement (COPY), so the statement trigger
    updates the counter row once, not once per IP (psycopg's executemany would run one
    INSERT per row: 65,534 versions of one row in one transaction took 80 s). SQLite's
    row triggers update the counter row in place: PostgreSQL only."""
    db = Database(postgres_url)

    stamp = datetime.now(UTC)
    rows = [
        {"address": str(a), "sort_key": sort_key(a), "version": 4, "created_at": stamp}
        for a in (parse_address(f"10.8.{n // 250}.{n % 250}") for n in range(600))
    ]

    def work(uow: WriteUnit) -> int:
        uow.ips.insert_many(rows)
        uow.record("test", "inventory", account_id=None)
        updates = "SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = %s"
        return int(uow.conn.exec_driver_sql(updates, ("inventory_counts",)).scalar_one())

    try:
        assert db.write(work, actor=ACTOR) == 1
        assert kept_count_differences(db) == []
    finally:
        db.dispose()
