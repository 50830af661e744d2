"""Postfix's socketmap protocol on the wire (socketmap_table(5)).

Each request and each reply is one netstring (``<length>:<bytes>,``, length in decimal).
A request is ``<name> <key>``; a reply is ``OK <data>``, ``NOTFOUND ``, ``TEMP <reason>``,
``TIMEOUT <reason>`` or ``PERM <reason>``, at most 100000 bytes before the encapsulation.
Several requests may follow one another on one connection.
"""

from __future__ import annotations

import asyncio

#: Longest request accepted, in bytes: a map name, a space and an envelope address (an
#: address is at most 254 bytes by RFC 5321; the rest is room for a long map name).
MAX_REQUEST = 1000
#: Longest reply Postfix accepts (socketmap_table(5), "REPLY FORMAT").
MAX_REPLY = 100_000
_MAX_DIGITS = len(str(MAX_REQUEST))


class ProtocolError(Exception):
    """A request that is not a netstring, or one over the limit: answer PERM and close."""


def encode(payload: bytes) -> bytes:
    """``payload`` as one netstring; refuses what Postfix would refuse."""
    if len(payload) > MAX_REPLY:
        raise ValueError(f"reply of {len(payload)} bytes exceeds {MAX_REPLY}")
    return b"%d:%s," % (len(payload), payload)


async def read_request(reader: asyncio.StreamReader) -> bytes | None:
    """The next request's payload, or None when the client closed between requests.

    The length is checked before the payload is read, so an oversized request costs at
    most a few bytes of buffer. The reader's own limit bounds the search for ':'.
    """
    try:
        head = await reader.readuntil(b":")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            return None
        raise ProtocolError("connection closed inside a netstring length") from None
    except asyncio.LimitOverrunError:
        raise ProtocolError("netstring length is not a number") from None
    digits = head[:-1]
    if not digits or len(digits) > _MAX_DIGITS or not digits.isdigit():
        raise ProtocolError(f"netstring length is not a number of at most {_MAX_DIGITS} digits")
    length = int(digits)
    if length > MAX_REQUEST:
        raise ProtocolError(f"request of {length} bytes exceeds {MAX_REQUEST}")
    try:
        body = await reader.readexactly(length + 1)
    except asyncio.IncompleteReadError:
        raise ProtocolError("connection closed inside a netstring") from None
    if body[-1:] != b",":
        raise ProtocolError("netstring does not end with ','")
    return body[:-1]


def split_request(payload: bytes) -> tuple[str, str]:
    """``(name, key)`` of a request ``<name> <key>``."""
    name, space, key = payload.partition(b" ")
    if not space or not name:
        raise ProtocolError("request is not '<name> <key>'")
    # Postfix sends addresses as they came (SMTPUTF8 ones in UTF-8); a byte that is not
    # UTF-8 cannot be part of a registered domain, so it is replaced, never an error.
    return name.decode("utf-8", "replace"), key.decode("utf-8", "replace")


def reply(status: str, data: str = "") -> bytes:
    """One reply netstring, e.g. ``reply("OK", "ipfleet-127-0-0-2:")``."""
    return encode(f"{status} {data}".encode())
