"""The data plane's names: sending (mail) domains and MTA names, checked in one place.

A mail domain is stored once, as its lower-case ASCII form (IDNA A-label), so that
``Example.COM``, ``example.com.`` and ``bücher.example`` / ``xn--bcher-kva.example`` each
compare equal to their one stored spelling. The same function canonicalises the domain of
an envelope sender at lookup time (``domain.routing.sender_domain``), so what is stored and
what is looked up can never disagree.
"""

from __future__ import annotations

import re

from ipfleet.domain.errors import BadMailDomain, BadMtaName

MAX_DOMAIN = 253
LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
#: An MTA's short name (one machine or one Postfix instance): letters, digits, '-', '_'.
MTA_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")


def canonical_mail_domain(text: str) -> str:
    """The stored form of a mail domain (lower-case A-label), or ``BadMailDomain``.

    Rules: IDNA (2003, the stdlib codec) to A-labels, lower case, one trailing dot
    dropped; at least two labels of 1-63 letters, digits and hyphens, none starting or
    ending with '-'; at most 253 characters in all.
    """
    name = text.removesuffix(".")
    if not name or not name.isprintable() or any(ch.isspace() for ch in name):
        raise BadMailDomain(text)
    try:
        ascii_name = name.encode("idna").decode("ascii").lower()
        ascii_name.encode("ascii").decode("idna")  # an xn-- label must be valid Punycode
    except UnicodeError:
        raise BadMailDomain(text) from None
    labels = ascii_name.split(".")
    if (
        len(ascii_name) > MAX_DOMAIN
        or len(labels) < 2
        or not all(LABEL.fullmatch(label) for label in labels)
    ):
        raise BadMailDomain(text)
    return ascii_name


def check_mta_name(name: str) -> str:
    """``name`` if it is a valid MTA name (1-32 letters, digits, '-', '_'), else ``BadMtaName``."""
    if not MTA_NAME.fullmatch(name):
        raise BadMtaName(name)
    return name
