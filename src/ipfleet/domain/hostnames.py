"""Host names an MTA can use for reverse DNS and HELO."""

from __future__ import annotations

import re

from ipfleet.domain.errors import InvalidValue

LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def canonical_hostname(name: str) -> str:
    """The lower-case form of an RFC 1123 host name, or ``InvalidValue`` saying why not."""
    text = name.lower().removesuffix(".")
    labels = text.split(".")
    if not text or len(text) > 253 or not all(LABEL.fullmatch(lab) for lab in labels):
        raise InvalidValue(f"Invalid host name: {name}")
    if len(labels) < 2:
        raise InvalidValue(f"Host name must be fully qualified: {name}")
    if labels[-1].isdigit():
        # RFC 1123 §2.1: a top-level label is never all digits, so no name reads as an address.
        raise InvalidValue(f"Invalid host name: {name}")
    return text
