"""The hand-written form parser answers exactly what the standard library's does."""

from __future__ import annotations

from urllib.parse import parse_qsl

from hypothesis import given
from hypothesis import strategies as st

from ipfleet.api.v2.params import parse_urlencoded

PIECES = st.lists(
    st.one_of(
        st.sampled_from(["&", "=", "+", "%", "%2", "%5B", "%5D", "%C3%A9", "%FF", "ip[]", "a"]),
        st.text(max_size=4),
    ),
    max_size=12,
)


@given(PIECES)
def test_same_pairs_as_parse_qsl(pieces: list[str]) -> None:
    raw = "".join(pieces).encode("utf-8", "surrogatepass")
    text = raw.decode("utf-8", "replace")
    expected = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="replace")
    assert parse_urlencoded(raw) == expected


def test_arrays_and_escapes() -> None:
    raw = b"api_user=a&ip%5B%5D=192.0.2.1&ip[]=2001%3Adb8%3A%3A1&empty=&flag&name=J%C3%B6+D"
    assert parse_urlencoded(raw) == [
        ("api_user", "a"),
        ("ip[]", "192.0.2.1"),
        ("ip[]", "2001:db8::1"),
        ("empty", ""),
        ("flag", ""),
        ("name", "Jö D"),
    ]
