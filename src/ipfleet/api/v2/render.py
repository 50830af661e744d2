"""v2 bodies as SendGrid's PHP servers wrote them: escaped compact JSON, Latin-1 XML."""

from __future__ import annotations

import json
from typing import Any

# A node is (tag, text) or (tag, [children]); an empty child list renders as <tag/>.
Node = tuple[str, "str | list[Node]"]

JSON_TYPE = b"application/json"
XML_TYPE = b"text/xml; charset=ISO-8859-1"
XML_PROLOG = '<?xml version="1.0" encoding="ISO-8859-1"?>\n\n'
INDENT = "   "


def php_json(obj: Any) -> bytes:
    """Compact JSON with ``\\/`` and ``\\uXXXX`` escapes, as PHP's json_encode writes it."""
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()


def _xml_table() -> dict[int, str]:
    table: dict[int, str] = {
        ord("&"): "&amp;",
        ord("<"): "&lt;",
        ord(">"): "&gt;",
        ord('"'): "&quot;",
        ord("'"): "&apos;",
    }
    # A raw CR would be read back as LF; a reference keeps it.
    table[0x0D] = "&#13;"
    # XML 1.0 cannot carry these at all, not even as references.
    for code in [*range(0x20), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF]:
        if code not in (0x09, 0x0A, 0x0D):
            table[code] = "?"
    return table


_XML_ESCAPES = _xml_table()


def xml_text(text: str) -> str:
    """Escape character data; characters outside Latin-1 become ``&#N;`` on encoding."""
    return text.translate(_XML_ESCAPES)


def xml_document(root: Node) -> bytes:
    """The whole document: prolog, blank line, root indented three spaces per level."""
    lines: list[str] = []
    _emit(root, 0, lines)
    text = XML_PROLOG + "\n".join(lines) + "\n"
    return text.encode("latin-1", "xmlcharrefreplace")


def _emit(node: Node, depth: int, lines: list[str]) -> None:
    tag, content = node
    pad = INDENT * depth
    if isinstance(content, str):
        lines.append(f"{pad}<{tag}>{xml_text(content)}</{tag}>")
    elif not content:
        lines.append(f"{pad}<{tag}/>")
    else:
        lines.append(f"{pad}<{tag}>")
        for child in content:
            _emit(child, depth + 1, lines)
        lines.append(f"{pad}</{tag}>")


def ip_list_json(ips: list[str]) -> list[dict[str, str]]:
    return [{"ip": ip} for ip in ips]


def ip_list_xml(ips: list[str], tag: str = "ips") -> Node:
    return (tag, [("ip", ip) for ip in ips])
