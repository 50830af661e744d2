"""The timeline: every period on an IP, and who held or could send from it at a moment.

One service, several doors: the operator's CLI (``ipfleet ip history``, ``ipfleet who``)
sees every tenant; a reseller (v3 ``/v3/ips/{ip}/history``) sees only the periods while
the IP was on its own account, and never a previous or later tenant.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from ipfleet.domain.addresses import parse_network, sort_key
from ipfleet.domain.errors import IpNotFound
from ipfleet.domain.records import Account
from ipfleet.domain.routing import sender_domain
from ipfleet.domain.timeline import Period, Sender, WhoWasIt
from ipfleet.services.ips import parse_all
from ipfleet.store.timeline_repo import TimelineRepo
from ipfleet.store.uow import Database


@dataclass(frozen=True, slots=True)
class SenderAt:
    """Who an envelope sender was at a moment, and the IPs it could send from then."""

    sender: str
    domain: str
    at: datetime
    account: str
    subuser: str | None  # None: the domain was the account's own
    active: bool
    addresses: tuple[str, ...]


def _one_address(text: str) -> str:
    return parse_all([text])[0]


def ip_history(
    db: Database, *, address: str, since: datetime | None = None, until: datetime | None = None
) -> list[Period]:
    """Every period on an address meeting [since, until), oldest first (the operator's)."""
    text = _one_address(address)
    return db.read(lambda uow: TimelineRepo(uow.conn).periods(text, since, until))


def range_history(
    db: Database, *, network: str, since: datetime | None = None, until: datetime | None = None
) -> Iterator[Period]:
    """The periods of every address in a CIDR range, by address then time (for export)."""
    net = parse_network(network)
    low, high = sort_key(net.network_address), sort_key(net.broadcast_address)
    with db.engine.connect() as conn, conn.begin():
        yield from TimelineRepo(conn).periods_between(low, high, since, until)


def who_at(db: Database, *, address: str, at: datetime) -> WhoWasIt:
    """The account an address was on at ``at``, its subusers that held it, and those that
    could send from it because their set was empty (the operator's view)."""
    text = _one_address(address)

    def work(conn_repo: TimelineRepo) -> WhoWasIt:
        owner = conn_repo.owner_at(text, at)
        if owner is None:
            return WhoWasIt(text, at, None, None, ())
        senders = conn_repo.senders_at(owner[0], text, at)
        return WhoWasIt(text, at, owner[0], owner[1], tuple(senders))

    return db.read(lambda uow: work(TimelineRepo(uow.conn)))


def who_sent(db: Database, *, sender: str, at: datetime) -> SenderAt | None:
    """Whose an envelope sender's domain was at ``at`` and the IPs it could send from
    then (None: no account had the domain)."""
    domain = sender_domain(sender)
    if domain is None:
        return None

    def work(repo: TimelineRepo) -> SenderAt | None:
        holder = repo.domain_holder_at(domain, at)
        if holder is None:
            return None
        account_id, account, subuser = holder
        state: Sender | None = None
        if subuser is not None:
            states = [s for s in repo.senders_all_at(account_id, at) if s.subuser == subuser]
            state = states[0] if states else None
        explicit = state is not None and state.explicit
        ips = repo.addresses_at(account_id, subuser if explicit else None, at)
        active = state.active if state is not None else subuser is None
        return SenderAt(sender, domain, at, account, subuser, active, tuple(ips))

    return db.read(lambda uow: work(TimelineRepo(uow.conn)))


def account_ip_history(db: Database, *, account: Account, address: str) -> list[Period]:
    """The periods on an address while it was on ``account``, clipped to those times; an
    address never on the account is not found (as every v3 IP route answers)."""
    text = _one_address(address)
    periods = db.read(lambda uow: TimelineRepo(uow.conn).periods(text))
    tenancy = [p for p in periods if p.kind == "account" and p.account_id == account.id]
    if not tenancy:
        raise IpNotFound(text)
    visible: list[Period] = []
    for period in periods:
        if period.account_id != account.id:
            continue
        for own in tenancy:
            part = period.clipped(own.started_at, own.ended_at)
            if part is not None and part not in visible:
                visible.append(part)
    return sorted(visible, key=lambda p: (p.started_at, p.kind))


def account_who_at(db: Database, *, account: Account, address: str, at: datetime) -> WhoWasIt:
    """``who_at`` for a reseller: only while the address was on its account; at any other
    moment the answer names nobody, and an address never on it is not found."""
    account_ip_history(db, account=account, address=address)  # 404 unless it ever was
    answer = who_at(db, address=address, at=at)
    if answer.account_id != account.id:
        return WhoWasIt(answer.address, at, None, None, ())
    return answer


def period_differences(db: Database) -> list[str]:
    """Where the open periods and the live state disagree (empty: consistent). Each line
    names a fact and how many open periods and live rows state it."""

    def work(repo: TimelineRepo) -> list[str]:
        said, live = repo.open_facts(), repo.live_facts()
        return [
            f"{' '.join(fact)}: {said[fact]} open period(s), {live[fact]} live row(s)"
            for fact in sorted(set(said) | set(live))
            if said[fact] != live[fact]
        ]

    return db.read(lambda uow: work(TimelineRepo(uow.conn)))
