"""A set replacement writes only the holdings that change (issue 11, S3).

A lever for speed: every holding written fires the timeline's triggers (migration 0006),
which cost more than the rest of a write. A kept IP's holding is left alone, so its period
runs on unbroken; rewriting the set from scratch (delete all, insert all) would close and
reopen it, and these tests fail. What the write answers, logs and leaves behind is the
same as before: the new set, the change-log row with the old and the new set, and open
periods that say exactly what the live tables say.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text

from ipfleet.domain.records import Account
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.ips import add_ips
from ipfleet.services.subusers import SetMode, create_subuser, set_subuser_ips, subuser_ips
from ipfleet.services.timeline import ip_history, period_differences
from ipfleet.store.uow import Database
from tests.support.db import ACTOR, log_rows_of

X, Y, Z = "192.0.2.1", "192.0.2.2", "192.0.2.3"


def _acme(db: Database) -> Account:
    create_account(db, username="acme", outbound_cluster=None, actor=ACTOR)
    account = get_account(db, username="acme")
    add_ips(db, account=account, specs=["192.0.2.0/29"], actor=ACTOR)
    create_subuser(db, account=account, username="s1", email="", actor=ACTOR)
    return get_account(db, username="acme")


def _set(db: Database, account: Account, ips: list[str]) -> list[str]:
    return set_subuser_ips(
        db, account=account, username="s1", mode=SetMode.SPECIFY, ips=ips, actor=ACTOR
    )


def _holding_periods(db: Database, address: str) -> list[tuple[datetime, datetime | None]]:
    return [
        (p.started_at, p.ended_at) for p in ip_history(db, address=address) if p.kind == "holding"
    ]


def _filled_periods(db: Database) -> list[tuple[Any, Any]]:
    query = text(
        "SELECT started_at, ended_at FROM holder_periods WHERE kind = 'filled' ORDER BY id"
    )
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


def _timeline_agrees(db: Database) -> None:
    assert period_differences(db) == []


def test_an_overlapping_set_leaves_the_kept_ips_periods_unbroken(db: Database) -> None:
    account = _acme(db)
    assert _set(db, account, [X, Y]) == [X, Y]
    (kept_before,) = _holding_periods(db, Y)
    assert _set(db, account, [Z, Y]) == [Y, Z]

    assert _holding_periods(db, Y) == [kept_before]  # one period, still open
    assert kept_before[1] is None
    ((_, x_ended),) = _holding_periods(db, X)
    ((z_started, z_ended),) = _holding_periods(db, Z)
    assert x_ended == z_started  # the changed ones: one instant, the write's
    assert z_ended is None
    ((_, filled_ended),) = _filled_periods(db)  # the set never stopped being non-empty
    assert filled_ended is None
    assert subuser_ips(db, account=account, username="s1") == [Y, Z]
    logged = [(r["before"], r["after"]) for r in log_rows_of(db, "subuser.set_ips")]
    assert logged == [({"ips": []}, {"ips": [X, Y]}), ({"ips": [X, Y]}, {"ips": [Y, Z]})]
    _timeline_agrees(db)


def test_the_same_set_again_writes_no_holding_but_is_logged(db: Database) -> None:
    account = _acme(db)
    _set(db, account, [X, Y])
    periods = {a: _holding_periods(db, a) for a in (X, Y)}
    assert _set(db, account, [Y, X]) == [X, Y]
    assert {a: _holding_periods(db, a) for a in (X, Y)} == periods
    assert [r["after"] for r in log_rows_of(db, "subuser.set_ips")] == [{"ips": [X, Y]}] * 2
    _timeline_agrees(db)


def test_a_disjoint_set_and_an_empty_one_close_what_they_drop(db: Database) -> None:
    account = _acme(db)
    _set(db, account, [X])
    _set(db, account, [Y])  # disjoint: the subuser's set never stops being non-empty
    assert len(_filled_periods(db)) == 1
    set_subuser_ips(db, account=account, username="s1", mode=SetMode.NONE, actor=ACTOR)
    assert [ended is not None for _, ended in _filled_periods(db)] == [True]
    assert [ended is not None for _, ended in _holding_periods(db, X)] == [True]
    assert [ended is not None for _, ended in _holding_periods(db, Y)] == [True]
    assert subuser_ips(db, account=account, username="s1") == []
    _timeline_agrees(db)
