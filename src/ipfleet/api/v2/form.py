"""v2 form bodies, read and parsed as they arrive, within limits.

``multipart/form-data`` goes through ``multipart.PushMultipartParser`` (the sans-io parser
Litestar itself uses; already installed with it), fed in slices of ``SLICE`` bytes with a
yield to the event loop between slices, so no body can hold the loop for long. Limits: the
body size, the number of fields, the length of a field name, no nested multipart, part
charsets ``utf-8``, ``us-ascii`` and ``iso-8859-1`` only. Any other content type carries
no parameters (as in PHP).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from multipart import (
    MultipartError,
    MultipartSegment,
    ParserLimitReached,
    PushMultipartParser,
    parse_options_header,
)

from ipfleet.api.body import Receive, Scope, header
from ipfleet.api.v2.params import parse_urlencoded
from ipfleet.domain.errors import InvalidValue, PayloadTooLarge, TooManyFields

SLICE = 4_096
MAX_NAME = 256  # longest field name accepted
MAX_PART_HEADER = 4_096
#: Part charsets accepted (their usual spellings); others are refused by name.
CHARSETS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "us-ascii": "ascii",
    "ascii": "ascii",
    "iso-8859-1": "latin-1",
    "iso8859-1": "latin-1",
    "latin-1": "latin-1",
    "latin1": "latin-1",
}


@dataclass(frozen=True, slots=True)
class FormLimits:
    max_bytes: int
    max_fields: int


#: Called once, as soon as a multipart body has given both credentials, before the rest of
#: it is parsed: a body with wrong credentials is refused without parsing its bulk.
OnCredentials = Callable[[str, str], Awaitable[None]]
CREDENTIALS = ("api_user", "api_key")
#: Parts a multipart body may carry before its credentials are known (when the query string
#: gave none): an anonymous body costs at most this many parts' parsing. PHP's default
#: ``max_input_vars`` (SendGrid v2's own limit on all fields) is the same 1,000.
ANONYMOUS_PARTS = 1_000


class Multipart:
    """One multipart body being parsed: feed it chunks, then ``close`` it."""

    def __init__(self, boundary: str, limits: FormLimits) -> None:
        try:
            self.parser = PushMultipartParser(
                boundary,
                max_header_size=MAX_PART_HEADER,
                max_segment_count=limits.max_fields,
                strict=True,
            )
        except MultipartError:
            raise InvalidValue("Malformed multipart body: bad boundary") from None
        self.pairs: list[tuple[str, str]] = []
        self.segment: MultipartSegment | None = None
        self.chunks: list[bytes] = []
        self.limits = limits
        self.credentials: dict[str, str] = {}
        self.on_credentials: OnCredentials | None = None

    async def feed(self, data: bytes) -> None:
        """Parse ``data`` a slice at a time, letting other requests run in between."""
        for start in range(0, len(data), SLICE):
            self._parse(data[start : start + SLICE])
            if self.on_credentials is not None and len(self.credentials) == len(CREDENTIALS):
                check, self.on_credentials = self.on_credentials, None
                await check(*(self.credentials[name] for name in CREDENTIALS))
            await asyncio.sleep(0)

    def close(self) -> list[tuple[str, str]]:
        """The fields, in order; an incomplete body is malformed."""
        self._parse(b"")
        if not self.parser.closed:
            raise InvalidValue("Malformed multipart body: incomplete")
        return self.pairs

    def _parse(self, chunk: bytes) -> None:
        try:
            for event in self.parser.parse(chunk):
                if isinstance(event, MultipartSegment):
                    self.segment, self.chunks = _checked(event), []
                elif event:
                    self.chunks.append(event)
                else:
                    self._end_segment()
        except ParserLimitReached:
            raise TooManyFields(self.limits.max_fields) from None
        except MultipartError as exc:
            raise InvalidValue(f"Malformed multipart body: {exc}") from None

    def _end_segment(self) -> None:
        segment, self.segment = self.segment, None
        if segment is None or not segment.name:
            return
        charset = CHARSETS[(segment.charset or "utf-8").lower()]
        value = b"".join(self.chunks).decode(charset, "replace")
        self.pairs.append((segment.name, value))
        if segment.name in CREDENTIALS:
            self.credentials[segment.name] = value
        elif self.on_credentials is not None and len(self.pairs) > ANONYMOUS_PARTS:
            raise TooManyFields(
                ANONYMOUS_PARTS, "before api_user and api_key (send them first, or in the URL)"
            )


def _checked(segment: MultipartSegment) -> MultipartSegment:
    """Refuse a part with an over-long name, a charset outside the three, or nesting."""
    if segment.name is not None and len(segment.name) > MAX_NAME:
        raise InvalidValue(f"Form field name too long (at most {MAX_NAME} characters)")
    charset = segment.charset
    if charset is not None and charset.lower() not in CHARSETS:
        raise InvalidValue(
            f"Unsupported charset {charset[:40]!r} (use utf-8, us-ascii or iso-8859-1)"
        )
    if (segment.content_type or "").startswith("multipart/"):
        raise InvalidValue("Nested multipart bodies are not accepted")
    return segment


async def read_form(
    scope: Scope, receive: Receive, limits: FormLimits, on_credentials: OnCredentials | None
) -> list[tuple[str, str]]:
    """The fields of the request's form body, refused past any limit as soon as it is."""
    declared = header(scope, b"content-length")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise PayloadTooLarge(limits.max_bytes)
    kind, options = parse_options_header(header(scope, b"content-type"))
    form = Multipart(options.get("boundary", ""), limits) if kind == "multipart/form-data" else None
    if form is not None:
        form.on_credentials = on_credentials
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        chunk = message.get("body", b"")
        more = bool(message.get("more_body", False))
        size += len(chunk)
        if size > limits.max_bytes:
            raise PayloadTooLarge(limits.max_bytes)
        if form is not None:
            await form.feed(chunk)
        elif kind == "application/x-www-form-urlencoded":
            chunks.append(chunk)
    if form is not None:
        return form.close()
    raw = b"".join(chunks)
    if raw.count(b"&") >= limits.max_fields:
        raise TooManyFields(limits.max_fields)
    return parse_urlencoded(raw)
