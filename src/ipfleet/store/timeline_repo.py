"""The timeline's queries (the periods are written by the triggers of migration 0006).

A period covers a moment T when ``started_at <= T`` and it had not ended by T. Each
question starts from one index: the address (``ip_periods`` by its sort key, which names
it, and start: migration 0009), the subuser or the domain (``holder_periods``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.engine import Connection

from ipfleet.domain.addresses import parse_address, sort_key
from ipfleet.domain.timeline import Period, Sender
from ipfleet.store.tables import (
    holder_periods,
    holdings,
    ip_addresses,
    ip_periods,
    pool_members,
    sending_domains,
    subusers,
)


def _covers(table: Any, at: datetime) -> ColumnElement[bool]:
    return and_(table.c.started_at <= at, or_(table.c.ended_at.is_(None), table.c.ended_at > at))


def _overlaps(table: Any, since: datetime | None, until: datetime | None) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    if until is not None:
        parts.append(table.c.started_at < until)
    if since is not None:
        parts.append(or_(table.c.ended_at.is_(None), table.c.ended_at > since))
    return and_(True, *parts)


def _filled(at: datetime) -> Any:
    """Whether the subuser of the outer ``holder_periods`` row held any IP at ``at`` (its
    'filled' period: one lookup by subuser, however many IPs its set had)."""
    filled = holder_periods.alias("filled")
    return exists().where(
        filled.c.kind == "filled",
        filled.c.subuser_id == holder_periods.c.subuser_id,
        _covers(filled, at),
    )


def _on(table: Any, address: str) -> ColumnElement[bool]:
    """The periods of ``address`` (canonical text), found through the sort-key index."""
    found: ColumnElement[bool] = table.c.sort_key == sort_key(parse_address(address))
    return found


def _period(row: Any) -> Period:
    return Period(
        kind=row.kind,
        address=row.address,
        account_id=row.account_id,
        account=row.account,
        subuser=row.subuser,
        pool=row.pool,
        started_at=row.started_at,
        ended_at=row.ended_at,
    )


_PERIOD_COLUMNS = (
    ip_periods.c.kind,
    ip_periods.c.address,
    ip_periods.c.account_id,
    ip_periods.c.account,
    ip_periods.c.subuser,
    ip_periods.c.pool,
    ip_periods.c.started_at,
    ip_periods.c.ended_at,
)


class TimelineRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def periods(
        self, address: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[Period]:
        """Every period on ``address`` meeting [since, until), oldest first."""
        stmt = (
            select(*_PERIOD_COLUMNS)
            .where(_on(ip_periods, address), _overlaps(ip_periods, since, until))
            .order_by(ip_periods.c.started_at, ip_periods.c.id)
        )
        return [_period(r) for r in self.conn.execute(stmt)]

    def periods_between(
        self, low_key: str, high_key: str, since: datetime | None, until: datetime | None
    ) -> Iterator[Period]:
        """Every period of the addresses whose sort keys lie in [low_key, high_key]."""
        stmt = (
            select(*_PERIOD_COLUMNS)
            .where(
                ip_periods.c.sort_key.between(low_key, high_key),
                _overlaps(ip_periods, since, until),
            )
            .order_by(ip_periods.c.sort_key, ip_periods.c.started_at, ip_periods.c.id)
        )
        for row in self.conn.execute(stmt.execution_options(yield_per=1000)):
            yield _period(row)

    def owner_at(self, address: str, at: datetime) -> tuple[int, str] | None:
        """The account (id, name) the address was on at ``at``."""
        row = self.conn.execute(
            select(ip_periods.c.account_id, ip_periods.c.account)
            .where(
                _on(ip_periods, address),
                ip_periods.c.kind == "account",
                _covers(ip_periods, at),
            )
            .order_by(ip_periods.c.started_at.desc())
            .limit(1)
        ).first()
        return None if row is None else (row.account_id, row.account)

    def senders_at(self, account_id: int, address: str, at: datetime) -> list[Sender]:
        """The account's subusers at ``at`` that held ``address``, or held nothing (an
        empty set sends from every IP of the account), with their state and domain."""
        held = ip_periods.alias("held")
        holding = and_(
            held.c.kind == "holding",
            held.c.subuser_id == holder_periods.c.subuser_id,
            _on(held, address),
            _covers(held, at),
        )
        domain = holder_periods.alias("domain")
        attached = (
            select(domain.c.value)
            .where(
                domain.c.kind == "domain",
                domain.c.subuser_id == holder_periods.c.subuser_id,
                _covers(domain, at),
            )
            .limit(1)
            .scalar_subquery()
        )
        stmt = (
            select(
                holder_periods.c.subuser,
                holder_periods.c.value,
                exists().where(holding).label("explicit"),
                _filled(at).label("holds_any"),
                attached.label("mail_domain"),
            )
            .where(
                holder_periods.c.kind == "state",
                holder_periods.c.account_id == account_id,
                _covers(holder_periods, at),
            )
            .order_by(holder_periods.c.subuser)
        )
        return [
            Sender(r.subuser, r.value == "active", r.mail_domain, bool(r.explicit))
            for r in self.conn.execute(stmt)
            if r.explicit or not r.holds_any
        ]

    def domain_holder_at(self, domain: str, at: datetime) -> tuple[int, str, str | None] | None:
        """Who ``domain`` belonged to at ``at``: (account id, account, subuser or None)."""
        rows = self.conn.execute(
            select(
                holder_periods.c.kind,
                holder_periods.c.account_id,
                holder_periods.c.account,
                holder_periods.c.subuser,
            ).where(
                holder_periods.c.value == domain,
                holder_periods.c.kind.in_(("domain", "registered")),
                _covers(holder_periods, at),
            )
        ).all()
        attached = [r for r in rows if r.kind == "domain"]
        for r in attached or rows:
            return r.account_id, r.account, r.subuser
        return None

    def senders_all_at(self, account_id: int, at: datetime) -> list[Sender]:
        """Every subuser of the account at ``at`` (explicit: it held any IP then)."""
        stmt = select(
            holder_periods.c.subuser,
            holder_periods.c.value,
            _filled(at).label("holds_any"),
        ).where(
            holder_periods.c.kind == "state",
            holder_periods.c.account_id == account_id,
            _covers(holder_periods, at),
        )
        return [
            Sender(r.subuser, r.value == "active", None, bool(r.holds_any))
            for r in self.conn.execute(stmt)
        ]

    def addresses_at(self, account_id: int, subuser: str | None, at: datetime) -> list[str]:
        """The addresses a subuser held at ``at`` (``subuser`` None: the account's), in
        numeric order."""
        kind = "account" if subuser is None else "holding"
        stmt = select(ip_periods.c.address).where(
            ip_periods.c.kind == kind,
            ip_periods.c.account_id == account_id,
            _covers(ip_periods, at),
        )
        if subuser is not None:
            stmt = stmt.where(ip_periods.c.subuser == subuser)
        return list(self.conn.scalars(stmt.order_by(ip_periods.c.sort_key)))

    def open_facts(self) -> Counter[tuple[str, ...]]:
        """What the open periods say holds now, one tuple per open period."""
        facts: Counter[tuple[str, ...]] = Counter()
        for r in self.conn.execute(
            select(
                ip_periods.c.kind,
                ip_periods.c.address,
                ip_periods.c.account_id,
                ip_periods.c.subuser_id,
                ip_periods.c.pool_id,
            ).where(ip_periods.c.ended_at.is_(None))
        ):
            owner = r.subuser_id if r.kind == "holding" else r.pool_id
            who = r.account_id if r.kind == "account" else owner
            facts[(r.kind, r.address, str(who))] += 1
        for h in self.conn.execute(
            select(
                holder_periods.c.kind,
                holder_periods.c.subuser_id,
                holder_periods.c.account_id,
                holder_periods.c.value,
            ).where(holder_periods.c.ended_at.is_(None))
        ):
            holder = h.account_id if h.kind == "registered" else h.subuser_id
            facts[(h.kind, str(holder), h.value)] += 1
        return facts

    def live_facts(self) -> Counter[tuple[str, ...]]:
        """The same facts read from the live tables."""
        facts: Counter[tuple[str, ...]] = Counter()
        ip = ip_addresses
        for r in self.conn.execute(
            select(ip.c.address, ip.c.account_id).where(ip.c.account_id.is_not(None))
        ):
            facts[("account", r.address, str(r.account_id))] += 1
        for table, column, kind in (
            (holdings, holdings.c.subuser_id, "holding"),
            (pool_members, pool_members.c.pool_id, "pool"),
        ):
            for r in self.conn.execute(
                select(ip.c.address, column.label("who")).join(ip, ip.c.id == table.c.ip_id)
            ):
                facts[(kind, r.address, str(r.who))] += 1
        for r in self.conn.execute(select(subusers.c.id, subusers.c.active)):
            facts[("state", str(r.id), "active" if r.active else "inactive")] += 1
        domains = sending_domains
        for r in self.conn.execute(
            select(subusers.c.id, domains.c.mail_domain).join(
                domains, domains.c.id == subusers.c.sending_domain_id
            )
        ):
            facts[("domain", str(r.id), r.mail_domain)] += 1
        for filled_id in self.conn.scalars(select(holdings.c.subuser_id).distinct()):
            facts[("filled", str(filled_id), "yes")] += 1
        for r in self.conn.execute(select(domains.c.account_id, domains.c.mail_domain)):
            facts[("registered", str(r.account_id), r.mail_domain)] += 1
        return facts
