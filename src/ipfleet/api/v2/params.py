"""v2 parameters: query string and form bodies merged, PHP-style arrays (``ip[]``, ``ip[0]``)."""

from __future__ import annotations

import re
from urllib.parse import unquote

from ipfleet.domain.addresses import check_address_count
from ipfleet.domain.errors import InvalidValue, TooManyFields

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


def parse_query(query: bytes, max_fields: int) -> dict[str, list[str]]:
    """The query string's parameters, grouped; refused past ``max_fields`` fields."""
    if query.count(b"&") >= max_fields:
        raise TooManyFields(max_fields)
    return group(parse_urlencoded(query))


def merge_params(query: dict[str, list[str]], body: list[tuple[str, str]], max_ips: int) -> Params:
    """Merge query and body parameters; enforce the address limit and refuse text that is
    not Unicode (lone surrogates, which no accepted charset yields, but nothing past this
    point should have to think about)."""
    merged = dict(query)
    if body:
        merged.update(group(body))
    check_address_count(len(merged.get("ip", ())), max_ips)
    for name, values in merged.items():
        try:
            name.encode("utf-8")
            "".join(values).encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidValue(
                f"Parameter {name.encode('utf-8', 'replace').decode()!r} is not valid text"
            ) from None
    return Params(merged)
