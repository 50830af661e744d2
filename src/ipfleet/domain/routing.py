"""The routing rule: from which IP an envelope sender's mail may leave a given MTA.

One pure function decides, and every output calls it: the Postfix socketmap server, the
Postfix and KumoMTA renderers, ``ipfleet explain`` and the dashboard (see docs/mta.md).

    envelope sender -> its domain (after the last '@', lower-case; '<>' matches nothing)
      -> the account and subuser the domain is attached to (a domain attached to no
         subuser routes as the account itself: all of the account's IPs)
      -> the holder's effective IPs (a subuser's set; an empty set means all of the
         account's IPs), less disabled ones, only those placed on the asking MTA
      -> send from one of them | defer with a reason | no match (the MTA's default)

Mail is never sent from an IP the rule did not name: a deactivated subuser, or one with
no effective IP on the asking MTA, is deferred rather than routed elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from ipfleet.domain.errors import BadMailDomain
from ipfleet.domain.sending import canonical_mail_domain


class Verdict(StrEnum):
    """What the MTA does with the message."""

    SEND = "send"
    DEFER = "defer"
    NO_MATCH = "no_match"


class Rule(StrEnum):
    """Which part of the rule decided (shown by ``ipfleet explain``)."""

    SUBUSER_SET = "its set"
    EMPTY_SET = "empty set means all"
    ACCOUNT_DOMAIN = "account-level domain"
    DEACTIVATED = "deactivated"
    NO_IP_ON_MTA = "no IP on this MTA"
    NO_MATCH = "no match"


@dataclass(frozen=True, slots=True)
class SendingIp:
    """An IP of an account as the data plane sees it."""

    address: str
    mta: str | None  # the MTA it is plumbed on; None: on none yet
    hostname: str | None  # the HELO / rDNS name; None: the MTA's own name
    enabled: bool = True  # False: kept on the account, not used for sending
    parent_assigned: bool = True  # False: the account itself does not send from it


@dataclass(frozen=True, slots=True)
class Holder:
    """Who sends under a domain: an account's subuser, or the account itself."""

    account: str
    subuser: str | None  # None: the account itself (a domain attached to no subuser)
    active: bool  # a subuser's state; always True for the account itself
    held: tuple[SendingIp, ...]  # the subuser's set; empty: all of the account's IPs
    account_ips: tuple[SendingIp, ...]  # every IP on the account


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome for one sender on one MTA."""

    verdict: Verdict
    rule: Rule
    sender: str
    domain: str | None
    mta: str
    holder: Holder | None
    ips: tuple[SendingIp, ...]  # SEND: the candidates, in the order given; else empty

    @property
    def reason(self) -> str:
        """A short reason for a deferral (it reaches the SMTP client and the mail log)."""
        if self.rule is Rule.DEACTIVATED:
            return "sender is deactivated"
        if self.rule is Rule.NO_IP_ON_MTA:
            return f"sender has no sending IP on {self.mta}"
        return ""


def sender_domain(sender: str) -> str | None:
    """The stored form of an envelope sender's domain (lower-case A-label, as
    ``domain.sending.canonical_mail_domain`` gives), or None: the null sender ``<>``, no
    '@', or a domain that is not a valid mail domain (it can match no record)."""
    sender = sender.strip()
    if sender in ("", "<>") or "@" not in sender:
        return None
    return _stored_domain(sender.rsplit("@", 1)[1].strip())


@lru_cache(maxsize=65_536)
def _stored_domain(text: str) -> str | None:
    # Memoised: it runs per message, and IDNA costs more than the database lookup after it.
    try:
        return canonical_mail_domain(text)
    except BadMailDomain:
        return None


def effective_ips(holder: Holder, mta: str) -> tuple[Rule, tuple[SendingIp, ...]]:
    """The rule that applies to ``holder`` and the IPs it may send from on ``mta``."""
    if holder.subuser is None:
        # The account's own mail: only the IPs assigned to the parent (/v3/send_ips).
        rule = Rule.ACCOUNT_DOMAIN
        pool = tuple(ip for ip in holder.account_ips if ip.parent_assigned)
    elif holder.held:
        rule, pool = Rule.SUBUSER_SET, holder.held
    else:
        rule, pool = Rule.EMPTY_SET, holder.account_ips
    return rule, tuple(ip for ip in pool if ip.enabled and ip.mta == mta)


def route(sender: str, mta: str, holder: Holder | None) -> Decision:
    """Decide for ``sender`` on ``mta``; ``holder`` is who the sender's domain belongs to
    (None when no account registered the domain)."""
    domain = sender_domain(sender)
    if domain is None or holder is None:
        return Decision(Verdict.NO_MATCH, Rule.NO_MATCH, sender, domain, mta, None, ())
    if not holder.active:
        return Decision(Verdict.DEFER, Rule.DEACTIVATED, sender, domain, mta, holder, ())
    rule, ips = effective_ips(holder, mta)
    if not ips:
        return Decision(Verdict.DEFER, Rule.NO_IP_ON_MTA, sender, domain, mta, holder, ())
    return Decision(Verdict.SEND, rule, sender, domain, mta, holder, ips)


@dataclass(frozen=True, slots=True)
class MtaPlan:
    """What an MTA's rendered configuration is made of (Postfix and KumoMTA renderers)."""

    mta: str
    ips: tuple[SendingIp, ...]  # the IPs placed on this MTA, in numeric order
    # every account (subuser None) and every subuser, by account then subuser name; their
    # ``account_ips`` span every MTA: ``effective_ips(holder, mta)`` narrows them
    holders: tuple[Holder, ...]


def transport_name(address: str) -> str:
    """The Postfix transport (master.cf service) of an IP: ``ipfleet-<ip>`` with '.'
    and ':' replaced by '-'."""
    return "ipfleet-" + address.replace(".", "-").replace(":", "-")
