"""Hostile request bodies (issue 12): part bombs, odd part charsets, nesting, lone
surrogates through every charset that can make one, over-long names, field bombs.

Each is a ``Wire`` for a v2 call; ``hostile_wires`` builds them with or without B's
credentials, ``worst_bodies`` the few that cost the server most (for the availability
test on a real server).
"""

from __future__ import annotations

from urllib.parse import urlencode

from tests.reliability.rel_inputs import Wire
from tests.reliability.rel_world import B

MIB = 1_048_576
BOUNDARY = "hostile-boundary"
#: Part charsets no client should send: Python decodes each of them, some to lone
#: surrogates or with exceptions other than UnicodeDecodeError.
ODD_CHARSETS = (
    "idna",
    "punycode",
    "undefined",
    "unicode_escape",
    "raw_unicode_escape",
    "utf-7",
    "utf-16",
    "utf-32",
    "rot13",
    "base64",
    "x-no-such-charset",
)
#: (charset, bytes that decode to a lone surrogate under it): each must be refused.
SURROGATE_BYTES = (
    ("utf-7", b"+2AA-"),
    ("unicode_escape", b"\\ud800"),
    ("raw_unicode_escape", b"\\ud800"),
    ("utf-16-le", b"\x00\xd8"),
)
#: The surrogate's UTF-8 bytes in the accepted spellings: decoded to U+FFFD (or Latin-1
#: letters), valid text the call may accept; never a 5xx.
SURROGATE_LOOKALIKES = (("utf-8", b"\xed\xa0\x80"), ("iso-8859-1", b"\xed\xa0\x80"))
#: The calls that answered 500 to lone surrogates, with the parameters that reached a query.
SURROGATE_CALLS: tuple[tuple[str, tuple[tuple[str, str], ...], str], ...] = (
    ("customer.password", (("password", "pass-word-1"), ("confirm_password", "pass-word-1")),
     "user"),
    ("customer.add", (("password", "pass-word-1"), ("confirm_password", "pass-word-1"),
                      ("email", "x@b.example")), "username"),
    ("customer.sendip", (("task", "list"),), "user"),
    ("customer.delete", (), "user"),
    ("customer.profile", (("task", "get"),), "email"),
    ("reseller.ip", (("task", "usage"),), "user"),
)  # fmt: skip
FORM = {"content-type": b"application/x-www-form-urlencoded"}


def part(name: str, value: bytes, headers: str = "") -> bytes:
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n{headers}\r\n'
    return head.encode() + value + b"\r\n"


def multipart(parts: list[bytes], boundary: str = BOUNDARY) -> tuple[dict[str, bytes], bytes]:
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return {"content-type": f"multipart/form-data; boundary={boundary}".encode()}, body


def auth_parts(key: str) -> list[bytes]:
    return [part("api_user", B.encode()), part("api_key", key.encode())]


def part_bomb(key: str | None) -> Wire:
    """1 MiB of tiny parts (the issue's worker stall)."""
    tiny = part("a", b"1")
    head = auth_parts(key) if key else []
    room = MIB - 100 - sum(map(len, head))  # just under the body limit
    headers, body = multipart(head + [tiny] * (room // len(tiny)))
    return Wire("POST", "/apiv2/customer.ip.json", headers, body)


def nested(depth: int, key: str | None) -> Wire:
    """A part holding a multipart body holding a part ... ``depth`` deep."""
    inner = b"x"
    for level in range(depth):
        b = f"n{level}"
        inner = (
            f'--{b}\r\nContent-Disposition: form-data; name="list"\r\n\r\n'.encode()
            + inner
            + f"\r\n--{b}--\r\n".encode()
        )
        inner = f"Content-Type: multipart/mixed; boundary={b}\r\n".encode() + b"\r\n" + inner
    head = auth_parts(key) if key else []
    tail = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="deep"\r\n'.encode() + inner
    headers, body = multipart([*head, tail + b"\r\n"])
    return Wire("POST", "/apiv2/customer.ip.json", headers, body)


def charset_wires(key: str | None) -> list[tuple[str, Wire]]:
    out = []
    for charset in ODD_CHARSETS:
        head = auth_parts(key) if key else []
        odd = part("list", b"all", f"Content-Type: text/plain; charset={charset}\r\n")
        headers, body = multipart([*head, odd])
        out.append((f"charset={charset}", Wire("POST", "/apiv2/customer.ip.json", headers, body)))
    return out


def surrogate_wires(key: str, *, lookalikes: bool = False) -> list[tuple[str, Wire]]:
    """Every call of the issue, given a lone surrogate through every charset that makes
    one; with ``lookalikes``, the same bytes in the accepted charsets and %-encoded."""
    out = []
    for call, params, target in SURROGATE_CALLS:
        url = f"/apiv2/{call}.json"
        for charset, raw in SURROGATE_LOOKALIKES if lookalikes else SURROGATE_BYTES:
            parts = [*auth_parts(key), *(part(k, v.encode()) for k, v in params)]
            ctype = f"Content-Type: text/plain; charset={charset}\r\n"
            headers, body = multipart([*parts, part(target, b"b-" + raw, ctype)])
            out.append((f"{call} {target} via {charset}", Wire("POST", url, headers, body)))
        if lookalikes:
            form = urlencode([("api_user", B), ("api_key", key), *params])
            form += f"&{target}=b-%ED%A0%80"
            out.append((f"{call} {target} %-encoded", Wire("POST", url, FORM, form.encode())))
            out.append((f"{call} {target} in the query", Wire("GET", f"{url}?{form}")))
    return out


def other_wires(key: str | None) -> list[tuple[str, Wire]]:
    head = auth_parts(key) if key else []
    long_name = multipart([*head, part("n" * 100_000, b"1")])
    no_end = multipart(head)[1][: -len(f"--{BOUNDARY}--\r\n")]
    bad_boundary = {"content-type": b"multipart/form-data; boundary=" + b"b" * 300}
    field_bomb = b"&".join([b"a=1"] * (MIB // 4 - 100))
    return [
        ("field name of 100,000 characters", Wire("POST", "/apiv2/customer.ip.json", *long_name)),
        ("multipart never closed", Wire("POST", "/apiv2/customer.ip.json", long_name[0], no_end)),
        ("boundary of 300 characters", Wire("POST", "/apiv2/customer.ip.json", bad_boundary, b"x")),
        ("1 MiB urlencoded field bomb", Wire("POST", "/apiv2/customer.ip.json", FORM, field_bomb)),
        (
            "100,000 query fields",
            Wire("GET", "/apiv2/customer.ip.json?" + "&".join(["a=1"] * 12_000)),
        ),
    ]


def hostile_wires(key: str) -> list[tuple[str, Wire]]:
    """Every hostile body, without credentials and with B's: each one must be refused."""
    out: list[tuple[str, Wire]] = []
    for who, k in (("anonymous", None), ("tenant B", key)):
        out += [(f"{who}: part bomb", part_bomb(k)), (f"{who}: nested 3000", nested(3000, k))]
        out += [(f"{who}: {label}", w) for label, w in charset_wires(k)]
        out += [(f"{who}: {label}", w) for label, w in other_wires(k)]
    out += surrogate_wires(key)
    return out


def worst_bodies(key: str) -> list[tuple[str, Wire]]:
    """The bodies that cost a worker most, one of each kind."""
    wrong = key[:-4] + "AAAA" if not key.endswith("AAAA") else key[:-4] + "BBBB"
    return [
        ("part bomb, anonymous", part_bomb(None)),
        ("part bomb, wrong credentials", part_bomb(wrong)),
        ("part bomb, tenant B's credentials", part_bomb(key)),
        ("nested 3000 deep", nested(3000, None)),
        ("charset=utf-7", charset_wires(None)[5][1]),
        ("1 MiB urlencoded field bomb", other_wires(None)[3][1]),
    ]
