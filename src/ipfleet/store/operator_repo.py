"""Dashboard operators (token hashes) and the installation's own secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from ipfleet.store.tables import app_secrets, operators


@dataclass(frozen=True, slots=True)
class OperatorRow:
    id: int
    name: str
    token_id: str
    secret_hash: str
    revoked: bool


class OperatorRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def by_name(self, name: str) -> OperatorRow | None:
        """The operator called ``name``, revoked or not."""
        row = self.conn.execute(select(operators).where(operators.c.name == name)).first()
        return _operator(row) if row else None

    def live_token(self, token_id: str) -> OperatorRow | None:
        """The unrevoked operator whose token has this public id."""
        stmt = select(operators).where(
            operators.c.token_id == token_id, operators.c.revoked_at.is_(None)
        )
        row = self.conn.execute(stmt).first()
        return _operator(row) if row else None

    def add(self, name: str, token_id: str, secret_hash: str, now: datetime) -> None:
        self.conn.execute(
            insert(operators).values(
                name=name, token_id=token_id, secret_hash=secret_hash, created_at=now
            )
        )

    def replace_token(self, op_id: int, token_id: str, secret_hash: str, now: datetime) -> None:
        """Give a revoked operator a fresh token (``operator create`` after ``revoke``)."""
        self.conn.execute(
            update(operators)
            .where(operators.c.id == op_id)
            .values(token_id=token_id, secret_hash=secret_hash, created_at=now, revoked_at=None)
        )

    def revoke(self, op_id: int, now: datetime) -> None:
        self.conn.execute(update(operators).where(operators.c.id == op_id).values(revoked_at=now))

    def secret(self, name: str) -> str | None:
        """A secret the installation made for itself, if it has made it yet."""
        stmt = select(app_secrets.c.value).where(app_secrets.c.name == name)
        return self.conn.scalar(stmt)

    def add_secret(self, name: str, value: str, now: datetime) -> None:
        self.conn.execute(insert(app_secrets).values(name=name, value=value, created_at=now))


def _operator(row: Any) -> OperatorRow:
    return OperatorRow(
        id=row.id,
        name=row.name,
        token_id=row.token_id,
        secret_hash=row.secret_hash,
        revoked=row.revoked_at is not None,
    )
