"""What every command needs: the database (checked to be migrated) and an actor."""

from __future__ import annotations

import getpass
import uuid

from ipfleet.config import load_settings
from ipfleet.domain.errors import InvalidValue
from ipfleet.domain.records import Account, Actor
from ipfleet.services.accounts import get_account
from ipfleet.store.migrate import current, head
from ipfleet.store.uow import Database


def open_db(*, migrated: bool = True) -> Database:
    """The database of ``IPFLEET_DATABASE_URL``; refuse one that is not up to date."""
    db = Database(load_settings().database_url)
    if migrated and current(db) != head():
        raise InvalidValue("the database schema is not up to date: run `ipfleet db upgrade`")
    return db


def cli_actor() -> Actor:
    """The operator at this terminal, with a fresh request id."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return Actor(name=f"cli:{who}", request_id=uuid.uuid4().hex)


def open_account(name: str) -> tuple[Database, Account]:
    """The database and the account named ``name``: the CLI's one account resolver."""
    db = open_db()
    return db, get_account(db, username=name)
