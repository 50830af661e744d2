"""api/v2/render.py: PHP-style JSON and Latin-1 XML, byte for byte (docs/v2.md §1)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipfleet.api.v2.render import (
    JSON_TYPE,
    XML_TYPE,
    ip_list_json,
    ip_list_xml,
    php_json,
    xml_document,
)

# --- JSON ------------------------------------------------------------------------------


def test_php_json_is_compact_with_escaped_slashes() -> None:
    body = php_json({"message": "error", "errors": ["Invalid username and/or password"]})
    assert body == b'{"message":"error","errors":["Invalid username and\\/or password"]}'


def test_php_json_escapes_non_ascii_as_u_escapes() -> None:
    body = php_json({"username": "жена", "x": "é😀"})
    assert body == (b'{"username":"\\u0436\\u0435\\u043d\\u0430","x":"\\u00e9\\ud83d\\ude00"}')
    assert body.isascii()


def test_php_json_of_an_ip_list() -> None:
    body = php_json(ip_list_json(["192.0.2.10", "2001:db8::1"]))
    assert body == b'[{"ip":"192.0.2.10"},{"ip":"2001:db8::1"}]'
    assert php_json(ip_list_json([])) == b"[]"


def test_php_json_of_scalars_and_nesting() -> None:
    body = php_json({"a": [1, None, True, False], "b": {"c": "d/e"}})
    assert body == b'{"a":[1,null,true,false],"b":{"c":"d\\/e"}}'


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(json_values)
def test_php_json_is_ascii_compact_and_parses_back(value: object) -> None:
    body = php_json(value)
    assert body.isascii()
    assert json.loads(body) == value
    text = body.decode()
    # every slash is escaped; no space or newline outside strings
    assert re.search(r"(?<!\\)/", text) is None
    assert "\n" not in text
    assert (
        json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")
        == text
    )


def test_content_types() -> None:
    assert JSON_TYPE == b"application/json"
    assert XML_TYPE == b"text/xml; charset=ISO-8859-1"


# --- XML -------------------------------------------------------------------------------


def test_xml_document_exact_bytes() -> None:
    doc = xml_document(
        (
            "sendips",
            [
                ("ocluster", "SendGrid MTA"),
                ("ips", [("ip", "192.0.2.10"), ("ip", "2001:db8::1")]),
            ],
        )
    )
    assert doc == (
        b'<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        b"\n"
        b"<sendips>\n"
        b"   <ocluster>SendGrid MTA</ocluster>\n"
        b"   <ips>\n"
        b"      <ip>192.0.2.10</ip>\n"
        b"      <ip>2001:db8::1</ip>\n"
        b"   </ips>\n"
        b"</sendips>\n"
    )


def test_xml_success_and_empty_list() -> None:
    assert xml_document(("result", [("message", "success")])) == (
        b'<?xml version="1.0" encoding="ISO-8859-1"?>\n\n'
        b"<result>\n   <message>success</message>\n</result>\n"
    )
    empty = xml_document(ip_list_xml([]))
    assert empty == b'<?xml version="1.0" encoding="ISO-8859-1"?>\n\n<ips/>\n'
    assert list(ET.fromstring(empty)) == []


def test_xml_ip_list_matches_the_spec_example() -> None:
    assert xml_document(ip_list_xml(["192.0.2.10", "192.0.2.11"])) == (
        b'<?xml version="1.0" encoding="ISO-8859-1"?>\n\n'
        b"<ips>\n   <ip>192.0.2.10</ip>\n   <ip>192.0.2.11</ip>\n</ips>\n"
    )


def element_bytes(text: str) -> bytes:
    """The line of ``<m>...</m>`` in a one-element document."""
    doc = xml_document(("m", text))
    prolog = b'<?xml version="1.0" encoding="ISO-8859-1"?>\n\n'
    assert doc.startswith(prolog)
    assert doc.endswith(b"\n")
    return doc[len(prolog) : -1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a & b", b"<m>a &amp; b</m>"),
        ("<x>", b"<m>&lt;x&gt;</m>"),
        ("say \"hi\" & 'bye'", b"<m>say &quot;hi&quot; &amp; &apos;bye&apos;</m>"),
        ("&amp;", b"<m>&amp;amp;</m>"),
        ("caf\u00e9 \u00ff", b"<m>caf\xe9 \xff</m>"),  # Latin-1 stays one byte
        ("\u0436", b"<m>&#1078;</m>"),  # Cyrillic zhe
        ("\u20ac", b"<m>&#8364;</m>"),  # the euro sign is not Latin-1
        ("\U0001f600", b"<m>&#128512;</m>"),  # outside the BMP: one reference
        ("a\x00b", b"<m>a?b</m>"),
        ("\x01\x08\x0b\x0c\x1b\x1f", b"<m>??????</m>"),
        ("tab\there\nline", b"<m>tab\there\nline</m>"),
        ("cr\r", b"<m>cr&#13;</m>"),
        ("lone \ud800 \udfff", b"<m>lone ? ?</m>"),
        ("\ufffe\uffff", b"<m>??</m>"),
        ("", b"<m></m>"),
    ],
)
def test_xml_escaping(text: str, expected: bytes) -> None:
    assert element_bytes(text) == expected


def test_xml_document_declares_and_is_latin_1() -> None:
    doc = xml_document(("users", [("user", [("username", "Ωmega & ж")])]))
    doc.decode("latin-1")  # every byte is Latin-1 by construction
    user = ET.fromstring(doc).find("user/username")
    assert user is not None
    assert user.text == "Ωmega & ж"


# XML 1.0 cannot carry these in any form: the renderer writes "?" for each.
UNREPRESENTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def as_parsed(text: str) -> str:
    """What a conforming parser returns for ``text`` written by the renderer."""
    # CR is written as a reference, so it survives XML end-of-line handling.
    return UNREPRESENTABLE.sub("?", text)


@given(st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF)))
def test_any_text_gives_a_parseable_document_that_round_trips(text: str) -> None:
    doc = xml_document(("result", [("message", text), ("errors", [("error", text)])]))
    doc.decode("latin-1")
    root = ET.fromstring(doc)
    assert root.tag == "result"
    message = root.find("message")
    error = root.find("errors/error")
    assert message is not None
    assert error is not None
    assert (message.text or "") == as_parsed(text)
    assert (error.text or "") == as_parsed(text)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_any_name_in_a_user_list_parses_back_to_itself(name: str) -> None:
    doc = xml_document(("users", [("user", [("username", name), ("email", name)])]))
    user = ET.fromstring(doc).find("user")
    assert user is not None
    assert [(c.tag, c.text or "") for c in user] == [
        ("username", as_parsed(name)),
        ("email", as_parsed(name)),
    ]
