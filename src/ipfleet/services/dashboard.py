"""The dashboard's reads: an account at a glance, its IPs a page at a time, its subusers.

Every function takes the signed-in ``Account`` and reads only that account's rows; the
dashboard's writes go through the same services as the APIs (``set_subuser_ips``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_address, ip_network

from ipfleet.domain.records import Account, Subuser
from ipfleet.domain.states import IpState
from ipfleet.domain.timeline import Period
from ipfleet.services.authentication import Caller
from ipfleet.services.ip_details import IpView, get_ip_view, views
from ipfleet.services.subusers import require_subuser
from ipfleet.services.timeline import account_ip_history
from ipfleet.store.ip_detail_repo import IpQuery
from ipfleet.store.uow import Database, UnitOfWork

TOP_SUBUSERS = 5
MAX_PAGE_SIZE = 500
#: How many IPs the subuser form lists at a time (the held ones first).
CANDIDATES_PER_PAGE = 100


@dataclass(frozen=True, slots=True)
class Overview:
    counts: dict[IpState, int]
    subusers: int
    top: list[tuple[Subuser, int]]  # the subusers with the largest sets, largest first


@dataclass(frozen=True, slots=True)
class IpPage:
    items: list[IpView]
    total: int
    page: int  # 1-based, clamped to the pages there are
    pages: int
    size: int


@dataclass(frozen=True, slots=True)
class SubuserSummary:
    subuser: Subuser
    ips: int  # the size of its explicit set (0: it sends from every IP of the account)
    mail_domain: str | None  # the sending domain attached to it, if any


@dataclass(frozen=True, slots=True)
class Candidate:
    address: str
    held: bool  # in the subuser's set now


@dataclass(frozen=True, slots=True)
class SubuserDetail:
    """One subuser and one page of the IPs its form lists: the held ones matching the
    filter first, then the account's other IPs matching it, each group in numeric order."""

    subuser: Subuser
    mail_domain: str | None
    held: list[str]  # its whole explicit set (empty: it sends from every IP of the account)
    account_ips: int  # how many IPs the account has
    needle: str  # the filter (a piece of the address; empty: every IP)
    candidates: list[Candidate]  # this page of the list
    matching: int  # how many IPs match the filter, held or not
    page: int  # 1-based, clamped to the pages there are
    pages: int

    @property
    def held_unlisted(self) -> int:
        """How many IPs of its set this page does not list (kept unless the form says not)."""
        return len(self.held) - sum(c.held for c in self.candidates)


def overview(db: Database, *, account: Account) -> Overview:
    """Counts per state and the subusers holding the most IPs, from one snapshot."""

    def work(uow: UnitOfWork) -> Overview:
        counts = uow.ips.state_counts(account.id)
        subs = uow.subusers.of_account(account.id)
        sizes = uow.subusers.set_sizes(account.id)
        sized = sorted(((s, sizes.get(s.id, 0)) for s in subs), key=lambda p: -p[1])
        return Overview(counts, len(subs), [p for p in sized if p[1]][:TOP_SUBUSERS])

    return db.read(work)


@dataclass(frozen=True, slots=True)
class Window:
    """How to read rows [offset, offset + size) of ``total`` rows in numeric order."""

    descending: bool  # read from the end backwards, then reverse what came
    offset: int
    limit: int


def window(offset: int, size: int, total: int) -> Window:
    """A page past the middle is read from the end backwards: the database steps over the
    rows before an OFFSET one by one, so the last page of 70,000 would cost the most."""
    if offset * 2 <= total:
        return Window(False, offset, size)
    limit = max(0, min(size, total - offset))
    return Window(True, max(0, total - offset - limit), limit)


def ip_page(db: Database, *, account: Account, state: IpState, page: int, size: int) -> IpPage:
    """One page of the account's IPs in ``state``, in numeric order, with holders and pools."""
    size = max(1, min(size, MAX_PAGE_SIZE))

    def work(uow: UnitOfWork) -> IpPage:
        total = uow.ips.state_counts(account.id)[state]
        pages = max(1, -(-total // size))
        current = max(1, min(page, pages))
        rows = window((current - 1) * size, size, total)
        query = IpQuery(
            state=state, descending=rows.descending, limit=rows.limit, offset=rows.offset
        )
        details = uow.ip_details.query(account.id, query)
        details = details[::-1] if rows.descending else details
        return IpPage(views(uow, Caller(account), details), total, current, pages, size)

    return db.read(work)


def subuser_summaries(db: Database, *, account: Account) -> list[SubuserSummary]:
    """Every subuser of the account with the size of its set and its mail domain, by name."""

    def work(uow: UnitOfWork) -> list[SubuserSummary]:
        sizes = uow.subusers.set_sizes(account.id)
        domains = {d.subuser: d.mail_domain for d in uow.domains.of_account(account.id)}
        return [
            SubuserSummary(s, sizes.get(s.id, 0), domains.get(s.username))
            for s in uow.subusers.of_account(account.id)
        ]

    return db.read(work)


def filter_needle(text: str) -> str:
    """The filter as addresses are stored (lower case, no spaces), at most one address long."""
    return "".join(text.split()).lower()[:45]


def subuser_detail(
    db: Database, *, account: Account, username: str, needle: str = "", page: int = 1
) -> SubuserDetail:
    """One subuser of the account, its set, and one page of the IPs it could be given."""
    needle = filter_needle(needle)
    size = CANDIDATES_PER_PAGE

    def work(uow: UnitOfWork) -> SubuserDetail:
        sub = require_subuser(uow, account, username)
        held = uow.subusers.ips(sub.id)
        held_matching = [a for a in held if needle in a]
        # Counted without testing each address against the set: the held ones are known.
        matching = uow.subusers.count_containing(account.id, needle)
        pages = max(1, -(-matching // size))
        current = max(1, min(page, pages))
        start = (current - 1) * size
        shown = [Candidate(a, True) for a in held_matching[start : start + size]]
        rows = window(
            max(0, start - len(held_matching)), size - len(shown), matching - len(held_matching)
        )
        rest = uow.subusers.not_held_page(
            sub, needle, limit=rows.limit, offset=rows.offset, descending=rows.descending
        )
        rest = rest[::-1] if rows.descending else rest
        shown += [Candidate(a, False) for a in rest]
        domain = uow.domains.attached_to(sub.id)
        total = uow.subusers.count_containing(account.id, "") if needle else matching
        return SubuserDetail(sub, domain, held, total, needle, shown, matching, current, pages)

    return db.read(work)


@dataclass(frozen=True, slots=True)
class IpDetail:
    ip: IpView
    history: list[Period]  # its periods while on this account only, oldest first


def ip_detail(db: Database, *, account: Account, address: str) -> IpDetail:
    """One IP of the account and its history on this account (never another tenant's)."""
    view = get_ip_view(db, caller=Caller(account), address=address)
    return IpDetail(view, account_ip_history(db, account=account, address=view.address))


@dataclass(frozen=True, slots=True)
class RangeUse:
    network: str  # an IPv4 /24 or an IPv6 /64
    free: int
    used: int


@dataclass(frozen=True, slots=True)
class MtaUse:
    mta: str | None  # None: placed on no MTA
    free: int
    used: int


@dataclass(frozen=True, slots=True)
class AccountUse:
    account: Account
    ips: int


@dataclass(frozen=True, slots=True)
class OperatorView:
    free: int
    used: int
    ranges: list[RangeUse]
    mtas: list[MtaUse]
    accounts: list[AccountUse]


def _network(address: str) -> str:
    prefix = 24 if ip_address(address).version == 4 else 64
    return str(ip_network(f"{address}/{prefix}", strict=False))


def operator_view(db: Database) -> OperatorView:
    """The inventory free and used, per range and per MTA, and every account's IPs
    against its quota."""

    def work(uow: UnitOfWork) -> OperatorView:
        ranges: dict[str, list[int]] = {}
        for address, account, _host in uow.inventory.entries(False):
            ranges.setdefault(_network(address), [0, 0])[account is not None] += 1
        held = uow.inventory.counts_by_account()
        uses = [AccountUse(a, held.get(a.id, 0)) for a in uow.accounts.all()]
        rows = [RangeUse(net, free, used) for net, (free, used) in ranges.items()]
        mtas = [MtaUse(*use) for use in uow.inventory.use_by_mta()]
        return OperatorView(
            free=sum(r.free for r in rows), used=sum(r.used for r in rows), ranges=rows,
            mtas=mtas, accounts=uses,
        )  # fmt: skip

    return db.read(work)
