"""The routing service: the only way anything asks the routing rule (``domain.routing``).

``decide`` answers one lookup (the Postfix socketmap server calls it per message, from any
thread); ``mta_plan`` gives the renderers a whole MTA's state at once.

Freshness: ``decide`` runs one indexed statement per lookup -- the sender domain's record
and its account's data version, which every write to the account bumps in the write's own
transaction (``Database.write``) -- and keeps, per process, the ``Holder`` built for each
domain labelled with the version it was built at. A lookup whose version differs rebuilds
the holder, so a change committed by any process or node applies to the very next lookup.
The version is read before the rows it labels, so a holder can be newer than its label
(rebuilt once more, harmlessly) but never older. A domain no account registered is not
cached at all: its lookup is that one statement finding nothing.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

from ipfleet.domain.routing import Decision, Holder, MtaPlan, SendingIp, route, sender_domain
from ipfleet.domain.sending import check_mta_name
from ipfleet.store.routing_repo import RoutingReads
from ipfleet.store.uow import Database, UnitOfWork


@dataclass(frozen=True, slots=True)
class _Cached:
    domain_id: int
    version: int
    holder: Holder


class _HolderCache:
    """One process's holders by mail domain, and account IPs by account, with versions."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holders: dict[str, _Cached] = {}
        self.account_ips: dict[int, tuple[int, tuple[SendingIp, ...]]] = {}


_caches: weakref.WeakKeyDictionary[Database, _HolderCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def _cache(db: Database) -> _HolderCache:
    found = _caches.get(db)
    if found is None:
        with _caches_lock:
            found = _caches.setdefault(db, _HolderCache())
    return found


def _account_ips(
    reads: RoutingReads, cache: _HolderCache, account_id: int, version: int
) -> tuple[SendingIp, ...]:
    with cache.lock:
        known = cache.account_ips.get(account_id)
    if known is not None and known[0] == version:
        return known[1]
    ips = reads.account_ips(account_id)
    with cache.lock:
        cache.account_ips[account_id] = (version, ips)
    return ips


def _build(
    reads: RoutingReads, cache: _HolderCache, domain_id: int, account_id: int, version: int
) -> Holder | None:
    """The holder of a domain as the database has it now (None: removed meanwhile)."""
    found = reads.holder(domain_id)
    if found is None:
        return None
    account, sub_id, sub_name, active = found
    account_ips = _account_ips(reads, cache, account_id, version)
    held: tuple[SendingIp, ...] = ()
    if sub_id is not None:
        by_address = {ip.address: ip for ip in account_ips}
        # An IP moved in after account_ips was read is newer than the label: skip it here,
        # the next lookup sees the bumped version and rebuilds.
        held = tuple(by_address[a] for a in reads.held(sub_id) if a in by_address)
    return Holder(account, sub_name, active, held, account_ips)


def holder_of(db: Database, mail_domain: str) -> Holder | None:
    """Who sends under ``mail_domain`` (its stored form), fresh as of this call."""
    reads = RoutingReads(db.hot)
    found = reads.domain(mail_domain)
    if found is None:
        return None
    domain_id, account_id, version = found
    cache = _cache(db)
    with cache.lock:
        cached = cache.holders.get(mail_domain)
    if cached is not None and cached.version == version and cached.domain_id == domain_id:
        return cached.holder
    holder = _build(reads, cache, domain_id, account_id, version)
    if holder is not None:
        with cache.lock:
            cache.holders[mail_domain] = _Cached(domain_id, version, holder)
    return holder


def decide(db: Database, *, mta: str, sender: str) -> Decision:
    """The routing decision for one message from ``sender`` on ``mta``.

    Thread-safe; raises the database driver's error when the database cannot be reached
    (the socketmap server answers ``TEMP`` then).
    """
    domain = sender_domain(sender)
    holder = holder_of(db, domain) if domain is not None else None
    return route(sender, mta, holder)


def _plan(uow: UnitOfWork, mta: str) -> MtaPlan:
    uow.state.snapshot()
    by_account = {name: tuple(ips) for name, ips in uow.routing.ips_by_account().items()}
    holders: dict[str, list[Holder]] = {
        name: [Holder(name, None, True, (), ips)] for name, ips in by_account.items()
    }
    for account, name, active, held in uow.routing.subusers():
        ips = by_account[account]
        index = {ip.address: ip for ip in ips}
        chosen = tuple(index[a] for a in held)
        holders[account].append(Holder(account, name, active, chosen, ips))
    ordered = [h for account in sorted(holders) for h in holders[account]]
    return MtaPlan(mta=mta, ips=tuple(uow.routing.on_mta(mta)), holders=tuple(ordered))


def mta_plan(db: Database, *, mta: str) -> MtaPlan:
    """Everything an MTA's configuration is rendered from, read in one transaction: the IPs
    placed on ``mta`` and the holder of every account and every subuser."""
    check_mta_name(mta)
    return db.read(lambda uow: _plan(uow, mta))
