"""Sending domains (SendGrid "whitelabel" records): register, list, remove, attach.

A mail domain belongs to one account in the whole installation and is attached to at most
one of its subusers; a subuser has at most one, and attaching replaces it. These calls
assign no IP: they say which subuser a sender domain belongs to, which is what the routing
rule (``domain.routing``) reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipfleet.domain.errors import BadMailDomain, WhitelabelNotFound
from ipfleet.domain.records import Account, Actor
from ipfleet.domain.sending import canonical_mail_domain
from ipfleet.services.common import now
from ipfleet.services.subusers import require_subuser
from ipfleet.store.domain_repo import DomainRow
from ipfleet.store.uow import Database, WriteUnit


@dataclass(frozen=True, slots=True)
class SendingDomain:
    mail_domain: str
    url_domain: str
    subuser: str | None  # the subuser it is attached to; None: the account itself sends


def _view(row: DomainRow) -> SendingDomain:
    return SendingDomain(row.mail_domain, row.url_domain, row.subuser)


def _own(uow: WriteUnit, account: Account, mail_domain: str) -> DomainRow:
    """One of the account's domains; unknown and another account's look the same."""
    try:
        text = canonical_mail_domain(mail_domain)
    except BadMailDomain:  # no record has that name either
        raise WhitelabelNotFound(mail_domain.lower()) from None
    row = uow.domains.get(text)
    if row is None or row.account_id != account.id:
        raise WhitelabelNotFound(text)
    return row


def add_sending_domain(
    db: Database, *, account: Account, mail_domain: str, url_domain: str | None, actor: Actor
) -> SendingDomain:
    """Register a mail domain for the account (``url_domain`` defaults to it)."""
    mail = canonical_mail_domain(mail_domain)
    url = canonical_mail_domain(url_domain) if url_domain is not None else mail

    def work(uow: WriteUnit) -> SendingDomain:
        uow.domains.add(account.id, mail, url, now())
        uow.record(
            "whitelabel.add",
            f"domain:{mail}",
            account_id=account.id,
            after={"mail_domain": mail, "url_domain": url},
        )
        return SendingDomain(mail, url, None)

    return db.write(work, actor=actor, account=account)


def list_sending_domains(db: Database, *, account: Account) -> list[SendingDomain]:
    """The account's domains in ``mail_domain`` order, each with its subuser."""
    return db.read(lambda uow: [_view(r) for r in uow.domains.of_account(account.id)])


def remove_sending_domain(
    db: Database, *, account: Account, mail_domain: str, actor: Actor
) -> SendingDomain:
    """Forget one of the account's domains, detaching it from its subuser first."""

    def work(uow: WriteUnit) -> SendingDomain:
        row = _own(uow, account, mail_domain)
        if row.subuser is not None:
            _log_attach(uow, account, row.subuser, row.mail_domain, None)
        uow.domains.detach_all(row.id)
        uow.domains.delete(row.id)
        uow.record(
            "whitelabel.remove",
            f"domain:{row.mail_domain}",
            account_id=account.id,
            before={"mail_domain": row.mail_domain, "url_domain": row.url_domain},
        )
        return _view(row)

    return db.write(work, actor=actor, account=account)


def _log_attach(
    uow: WriteUnit, account: Account, username: str, before: str | None, after: str | None
) -> None:
    uow.record(
        "subuser.set_whitelabel",
        f"subuser:{username}",
        account_id=account.id,
        before={"mail_domain": before},
        after={"mail_domain": after},
    )


def attach_sending_domain(
    db: Database, *, account: Account, username: str, mail_domain: str | None, actor: Actor
) -> str | None:
    """Attach one of the account's domains to its subuser (None: detach its domain).

    The subuser's previous domain is detached (it routes as the account again); a domain
    attached to another subuser moves, and that subuser's detachment is logged too.
    Checks come in the v2 order: the subuser first, then the domain.
    """

    def work(uow: WriteUnit) -> str | None:
        sub = require_subuser(uow, account, username)
        row = _own(uow, account, mail_domain) if mail_domain is not None else None
        current = uow.domains.attached_to(sub.id)
        new = row.mail_domain if row is not None else None
        if current == new:
            return new
        if row is not None and row.subuser is not None:
            uow.domains.detach_all(row.id)
            _log_attach(uow, account, row.subuser, new, None)
        uow.domains.attach(sub.id, row.id if row is not None else None)
        _log_attach(uow, account, username, current, new)
        return new

    return db.write(work, actor=actor, account=account)
