"""Helpers shared by the services: the clock and the change log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ipfleet.domain.records import Actor
from ipfleet.store.uow import UnitOfWork


def now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


def record(
    uow: UnitOfWork,
    actor: Actor,
    *,
    account_id: int | None,
    action: str,
    subject: str,
    before: Any = None,
    after: Any = None,
) -> None:
    """Write one change-log row inside the caller's transaction."""
    uow.log.write(
        at=now(),
        actor=actor.name,
        request_id=actor.request_id,
        account_id=account_id,
        action=action,
        subject=subject,
        before=before,
        after=after,
    )
