"""v2 parameters: query string and form bodies merged, PHP-style arrays (``ip[]``, ``ip[0]``)."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from email.utils import collapse_rfc2231_value
from urllib.parse import unquote

from ipfleet.domain.addresses import check_address_count
from ipfleet.domain.errors import InvalidValue

ARRAY_KEY = re.compile(r"([^\[\]]+)\[[^\[\]]*\]")


class Params:
    """Merged parameters: a body value replaces a query value of the same name."""

    __slots__ = ("values",)

    def __init__(self, values: dict[str, list[str]]) -> None:
        self.values = values

    def get(self, name: str) -> str | None:
        """The last value given for ``name`` (PHP semantics), or None."""
        found = self.values.get(name)
        return found[-1] if found else None

    def getlist(self, name: str) -> list[str]:
        """Every value of ``name``: ``name[]``, ``name[N]`` and repeated ``name`` alike."""
        return self.values.get(name, [])

    def has(self, name: str) -> bool:
        return name in self.values


def group(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Group name/value pairs by name, folding ``name[...]`` into ``name``."""
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        m = ARRAY_KEY.fullmatch(key)
        out.setdefault(m.group(1) if m else key, []).append(value)
    return out


def parse_urlencoded(raw: bytes) -> list[tuple[str, str]]:
    """Form-encoded pairs, as ``parse_qsl(keep_blank_values=True)`` gives them.

    Written out because it runs on every v2 request and ``parse_qsl`` was a fifth of a
    cached answer's cost; bytes that are not UTF-8 become U+FFFD rather than an error.
    """
    pairs: list[tuple[str, str]] = []
    for piece in raw.decode("utf-8", "replace").split("&"):
        if piece:
            name, _, value = piece.partition("=")
            pairs.append((_unquote(name), _unquote(value)))
    return pairs


def _unquote(text: str) -> str:
    if "%" in text or "+" in text:
        return unquote(text.replace("+", " "), encoding="utf-8", errors="replace")
    return text


def parse_multipart(body: bytes, content_type: str) -> list[tuple[str, str]]:
    """Fields of a multipart/form-data body, in order."""
    head = b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n"
    msg = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not msg.is_multipart():
        raise InvalidValue("Malformed multipart body")
    out: list[tuple[str, str]] = []
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name is None:
            continue
        raw = part.get_payload(decode=True)
        payload = raw if isinstance(raw, bytes) else b""
        charset = part.get_content_charset() or "utf-8"
        try:
            value = payload.decode(charset, "replace")
        except LookupError:
            value = payload.decode("utf-8", "replace")
        out.append((collapse_rfc2231_value(name), value))
    return out


def parse_body(body: bytes, content_type: str) -> list[tuple[str, str]]:
    """Pairs of a form body; any other content type carries no parameters (as in PHP)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        return parse_urlencoded(body)
    if kind == "multipart/form-data":
        return parse_multipart(body, content_type)
    return []


def parse_params(query: bytes, body: bytes, content_type: str, max_ips: int) -> Params:
    """Merge query and body parameters and enforce the per-request address limit."""
    merged = group(parse_urlencoded(query))
    if body:
        merged.update(group(parse_body(body, content_type)))
    check_address_count(len(merged.get("ip", ())), max_ips)
    return Params(merged)
