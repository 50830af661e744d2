"""Expected v2 wire bytes, written out independently of ipfleet's renderer (docs/v2.md §1-2).

Expected bodies are built here from plain strings so that a test compares the app's
whole answer, byte for byte, with what docs/v2.md prescribes.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import httpx

JSON_TYPE = "application/json"
XML_TYPE = "text/xml; charset=ISO-8859-1"
PROLOG = '<?xml version="1.0" encoding="ISO-8859-1"?>\n\n'


def subuser_form(username: str, password: str) -> dict[str, str]:
    """A whole ``customer.add`` form (every field SendGrid asks for) for ``username``."""
    return {
        "username": username,
        "password": password,
        "confirm_password": password,
        "email": f"{username}@example.com",
        "first_name": "Alice",
        "last_name": "Liddell",
        "address": "1 Rabbit Hole",
        "city": "Oxford",
        "zip": "OX1 3QD",
        "country": "GB",
        "phone": "+44 1865 000000",
        "website": "http://example.com/alice",
        "company": "Wonder & Co",
    }


CREDENTIALS_JSON = b'{"error":{"code":401,"message":"Permission denied, wrong credentials"}}'
CREDENTIALS_XML = (
    PROLOG + "<result>\n   <message>Permission denied, wrong credentials</message>\n</result>\n"
).encode()
SUCCESS_JSON = b'{"message":"success"}'
SUCCESS_XML = (PROLOG + "<result>\n   <message>success</message>\n</result>\n").encode()
NO_USER_JSON = b'{"error":{"code":400,"message":"User does not exist"}}'
# The fields of a subuser in customer.profile task=get answers, in the order SendGrid gives.
USER_KEYS = (
    "username",
    "email",
    "active",
    "first_name",
    "last_name",
    "address",
    "address2",
    "city",
    "state",
    "zip",
    "country",
    "phone",
    "website",
    "website_access",
    "company",
)
NO_USER_XML = (PROLOG + "<result>\n   <message>User does not exist</message>\n</result>\n").encode()


def xml_doc(*lines: str) -> bytes:
    """A whole XML answer: prolog, blank line, each given line ending in a newline (Latin-1);
    with no lines, just the prolog and blank line."""
    return (PROLOG + "".join(f"{line}\n" for line in lines)).encode("latin-1")


def ips_json(ips: Sequence[str]) -> str:
    """``[{"ip":"..."},...]`` as PHP's json_encode writes it."""
    return "[" + ",".join('{"ip":"' + ip + '"}' for ip in ips) + "]"


def ips_xml_lines(ips: Sequence[str], depth: int = 0) -> list[str]:
    """The lines of an ``<ips>`` element at ``depth``; empty lists use ``<ips/>``."""
    pad = "   " * depth
    if not ips:
        return [f"{pad}<ips/>"]
    return [f"{pad}<ips>", *(f"{pad}   <ip>{ip}</ip>" for ip in ips), f"{pad}</ips>"]


def empty_forms(body: bytes) -> set[bytes]:
    """``body`` and its variant with ``<ips></ips>``: docs/v2.md §1 allows either."""
    return {body, body.replace(b"<ips/>", b"<ips></ips>")}


def list_error_json(*messages: str) -> bytes:
    return ('{"message":"error","errors":[' + ",".join(_js(m) for m in messages) + "]}").encode()


def list_error_xml(*messages: str) -> bytes:
    errors = [f"      <error>{_xml(m)}</error>" for m in messages]
    return _latin1_doc(
        [
            "<result>",
            "   <message>error</message>",
            "   <errors>",
            *errors,
            "   </errors>",
            "</result>",
        ]
    )


def object_error_json(code: int, message: str) -> bytes:
    return ('{"error":{"code":' + str(code) + ',"message":' + _js(message) + "}}").encode()


def object_error_xml(message: str) -> bytes:
    return _latin1_doc(["<result>", f"   <message>{_xml(message)}</message>", "</result>"])


def _latin1_doc(lines: list[str]) -> bytes:
    return (PROLOG + "\n".join(lines) + "\n").encode("latin-1", "xmlcharrefreplace")


def _js(text: str) -> str:
    """A JSON string as PHP writes it: ``\\/`` and ``\\uXXXX`` escapes (reference impl)."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "/":
            out.append("\\/")
        elif code < 0x20 or code > 0x7F:
            if code > 0xFFFF:
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
            else:
                out.append(
                    {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}.get(code, "")
                    or f"\\u{code:04x}"
                )
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _xml(text: str) -> str:
    """XML character data: the five entities; C0 controls but tab, CR, LF become ``?``."""
    table = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}
    return "".join(
        table.get(ch) or ("?" if ord(ch) < 0x20 and ch not in "\t\r\n" else ch) for ch in text
    )


def check(
    resp: httpx.Response, body: bytes | set[bytes], *, status: int = 200, label: str = ""
) -> None:
    """The answer is exactly ``body`` (or one of them), with the status and exact type
    (XML when the body is, else JSON); ``label`` says which case failed."""
    xml = (body if isinstance(body, bytes) else next(iter(body))).startswith(b"<?xml")
    assert resp.headers["content-type"] == (XML_TYPE if xml else JSON_TYPE), label
    if isinstance(body, bytes):
        assert resp.content == body, label
    else:
        assert resp.content in body, (label, resp.content)
    assert resp.status_code == status, label
    if xml:
        ET.fromstring(resp.content)  # always parses with a standard parser
    else:
        json.loads(resp.content)


def list_error(resp: httpx.Response, *, status: int = 200) -> list[str]:
    """The messages of a list-form error in either format (shape checked on the way)."""
    assert resp.status_code == status
    if resp.headers["content-type"] == XML_TYPE:
        root = ET.fromstring(resp.content)
        assert root.tag == "result"
        assert [c.tag for c in root] == ["message", "errors"]
        assert root.findtext("message") == "error"
        errors = root.find("errors")
        assert errors is not None
        assert all(e.tag == "error" for e in errors)
        return [e.text or "" for e in errors]
    assert resp.headers["content-type"] == JSON_TYPE
    data = json.loads(resp.content)
    assert list(data) == ["message", "errors"]
    assert data["message"] == "error"
    assert isinstance(data["errors"], list)
    assert data["errors"]
    assert all(isinstance(m, str) for m in data["errors"])
    return list(data["errors"])


def ips_of(resp: httpx.Response) -> list[str]:
    """The addresses of a successful customer.ip answer (JSON or XML)."""
    assert resp.status_code == 200
    if resp.headers["content-type"] == XML_TYPE:
        root = ET.fromstring(resp.content)
        assert root.tag == "ips"
        return [e.text or "" for e in root]
    data = json.loads(resp.content)
    assert isinstance(data, list), data
    return [item["ip"] for item in data]


def sendip_json(cluster: str, ips: Sequence[str]) -> bytes:
    """A customer.sendip task=list answer in JSON."""
    body = '{"success":"success","outboundcluster":' + _js(cluster) + ',"ips":' + ips_json(ips)
    return (body + "}").encode()


def sendip_xml(cluster: str, ips: Sequence[str]) -> set[bytes]:
    """A customer.sendip task=list answer in XML (both spellings of an empty list)."""
    lines = ["<sendips>", f"   <ocluster>{_xml(cluster)}</ocluster>", *ips_xml_lines(ips, 1)]
    return empty_forms(_latin1_doc([*lines, "</sendips>"]))
