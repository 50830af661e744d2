"""Sending domains (SendGrid "whitelabel" records) and the subusers they are attached to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ipfleet.domain.errors import MailDomainTaken
from ipfleet.store.repos import by_bytes
from ipfleet.store.tables import sending_domains, subusers


@dataclass(frozen=True, slots=True)
class DomainRow:
    id: int
    account_id: int
    mail_domain: str
    url_domain: str
    subuser: str | None  # the subuser it is attached to, if any


_ROWS = select(
    sending_domains.c.id,
    sending_domains.c.account_id,
    sending_domains.c.mail_domain,
    sending_domains.c.url_domain,
    subusers.c.username,
).select_from(
    sending_domains.outerjoin(subusers, subusers.c.sending_domain_id == sending_domains.c.id)
)


class SendingDomainRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, account_id: int, mail_domain: str, url_domain: str, now: datetime) -> None:
        """Register a domain; one registered already (by anyone) is ``MailDomainTaken``."""
        stmt = insert(sending_domains).values(
            account_id=account_id, mail_domain=mail_domain, url_domain=url_domain, created_at=now
        )
        try:
            with self.conn.begin_nested():
                self.conn.execute(stmt)
        except IntegrityError:
            raise MailDomainTaken(mail_domain) from None

    def get(self, mail_domain: str) -> DomainRow | None:
        """A domain by its stored form, whoever owns it."""
        row = self.conn.execute(_ROWS.where(sending_domains.c.mail_domain == mail_domain)).first()
        return DomainRow(*row) if row else None

    def of_account(self, account_id: int) -> list[DomainRow]:
        """The account's domains in ``mail_domain`` order."""
        stmt = _ROWS.where(sending_domains.c.account_id == account_id).order_by(
            by_bytes(self.conn, sending_domains.c.mail_domain)
        )
        return [DomainRow(*r) for r in self.conn.execute(stmt)]

    def attached_to(self, subuser_id: int) -> str | None:
        """The mail domain attached to the subuser, if any."""
        stmt = (
            select(sending_domains.c.mail_domain)
            .join(subusers, subusers.c.sending_domain_id == sending_domains.c.id)
            .where(subusers.c.id == subuser_id)
        )
        return self.conn.scalar(stmt)

    def attach(self, subuser_id: int, domain_id: int | None) -> None:
        """Attach a domain to the subuser (replacing its previous one), or none."""
        self.conn.execute(
            update(subusers).where(subusers.c.id == subuser_id).values(sending_domain_id=domain_id)
        )

    def detach_all(self, domain_id: int) -> None:
        """Detach the domain from whichever subuser has it."""
        self.conn.execute(
            update(subusers)
            .where(subusers.c.sending_domain_id == domain_id)
            .values(sending_domain_id=None)
        )

    def delete(self, domain_id: int) -> None:
        self.conn.execute(delete(sending_domains).where(sending_domains.c.id == domain_id))
