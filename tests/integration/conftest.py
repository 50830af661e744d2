"""Fixtures for the service and store tests: an actor and accounts made to order."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from ipfleet.domain.records import Actor
from ipfleet.store.uow import Database
from tests.support.db import ACTOR, Made
from tests.support.seed import seed_account


@pytest.fixture
def actor() -> Actor:
    return ACTOR


@pytest.fixture
def make_account(db: Database) -> Callable[..., Made]:
    """Create an account (unique name unless given) and return it with its key."""
    counter = itertools.count(1)

    def make(
        name: str | None = None, outbound_cluster: str | None = None, ip_quota: int | None = None
    ) -> Made:
        username = name or f"acct{next(counter)}"
        account, key = seed_account(
            db, username, cluster=outbound_cluster, ip_quota=ip_quota, actor=ACTOR
        )
        return Made(account, key)

    return make
