"""The isolation attacks on the dashboard: tenant B, signed in, naming A's data on every
page and form; and sessions that try to pass for A.

``refused`` attacks must get an error page or the way back to the sign-in page;
``own`` ones may succeed but show only B's data; ``own-write`` ones may change B's data
(never A's) and run last. Every form is sent with B's valid CSRF token, so what refuses
them is the tenancy rule, not the token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

import httpx

from ipfleet.domain.addresses import address_error, canonical, parse_address
from ipfleet.services.ips import add_ips, release_ips
from ipfleet.services.operators import session_secret
from ipfleet.services.subusers import SetMode, set_subuser_ips
from ipfleet.web.session import COOKIE, Role, Signer, signed_in
from tests.reliability.rel_attacks import OWN, OWN_WRITE, REFUSED
from tests.reliability.rel_registry import UI_BY_KEY, Route
from tests.reliability.rel_world import A_IPS, A_ODD, A_SUBS, B_IPS, A, B, World
from tests.support.inprocess import Client
from tests.support.seed import SEEDER

#: An inventory IP that A takes, gives to a-alice, and releases before B takes it: B's
#: pages about it (its history above all) must never show A's tenancy.
MOVED_FROM_A = "192.0.2.5"

Form = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class UiAttack:
    route: Route
    expect: str
    what: str
    path: str
    form: Form | None = None  # posted with B's CSRF token added
    session: str = "b"  # "b", "none", or "a-name-b-key" (a validly signed lie)

    @property
    def request_text(self) -> str:
        """What B sent, with the canonical spelling of every address in it."""
        raw = f"{unquote(self.path)} {self.form!r}"
        words = re.split(r"[\s'\"(),/]+", raw)
        canon = [canonical(parse_address(w)) for w in words if address_error(w) is None]
        return " ".join([raw, *canon])

    @property
    def ends_bs_session(self) -> bool:
        """Whether the answer may replace B's session cookie (B signs in again after)."""
        return self.session != "b" or self.route.public


def _seg(text: str) -> str:
    return quote(text, safe="")


def _a(
    key: str, expect: str, what: str, path: str, form: Form | None = None, **kw: str
) -> UiAttack:
    return UiAttack(UI_BY_KEY[key], expect, what, path, form, **kw)


def _pages() -> list[UiAttack]:
    a_ip, a_v6 = A_IPS[0], A_IPS[-1]
    out = [
        _a("GET /ui", OWN, "overview", "/ui/"),
        _a("GET /ui/ips", OWN, "every state and page", "/ui/ips?state=all&size=250"),
        _a("GET /ui/ips", OWN, "taken", "/ui/ips?state=taken&page=2"),
        _a("GET /ui/subusers", OWN, "subusers", "/ui/subusers"),
        _a("GET /ui/ips/{address}", REFUSED, "A's IP", f"/ui/ips/{a_ip}"),
        _a(
            "GET /ui/ips/{address}", REFUSED, "A's IPv6 upper case", f"/ui/ips/{_seg(a_v6.upper())}"
        ),
        _a(
            "GET /ui/ips/{address}",
            REFUSED,
            "A's IPv6 long",
            "/ui/ips/2001%3Adb8%3Aa%3A0%3A0%3A0%3A0%3A1",
        ),
        _a("GET /ui/ips/{address}", OWN, "B's own IP", f"/ui/ips/{B_IPS[0]}"),
        _a("GET /ui/ips/{address}", OWN, "B's IP that was A's", f"/ui/ips/{MOVED_FROM_A}"),
        _a("GET /ui/subusers/{name}", OWN, "B's, filtered", "/ui/subusers/b-erin?q=2&page=2"),
        _a(
            "GET /ui/subusers/{name}",
            REFUSED,
            "A's, filtered by A's IP",
            f"/ui/subusers/a-alice?q={A_IPS[0]}&page=1",
        ),
        _a("GET /ui/static/{name}", OWN, "stylesheet", "/ui/static/app.css", session="none"),
        _a("GET /ui/login", OWN, "sign-in page", "/ui/login", session="none"),
        _a("GET /ui/operator", REFUSED, "operator page, reseller session", "/ui/operator"),
    ]
    for name in A_SUBS:
        out.append(
            _a("GET /ui/subusers/{name}", REFUSED, f"A's {name}", f"/ui/subusers/{_seg(name)}")
        )
    return out


def _forms() -> list[UiAttack]:
    alice, odd = "/ui/subusers/a-alice", f"/ui/subusers/{_seg(A_ODD)}"
    specify_a = (("mode", "specify"), ("ip", A_IPS[0]))
    return [
        _a("POST /ui/subusers/{name}", REFUSED, "none on A's", alice, (("mode", "none"),)),
        _a("POST /ui/subusers/{name}", REFUSED, "all on A's", alice, (("mode", "all"),)),
        _a("POST /ui/subusers/{name}", REFUSED, "A's IP to A's", alice, specify_a),
        _a("POST /ui/subusers/{name}", REFUSED, "odd name", odd, (("mode", "none"),)),
        _a("POST /ui/subusers/{name}", REFUSED, "A's IP to B's", "/ui/subusers/b-erin", specify_a),
        _a(
            "POST /ui/subusers/{name}",
            REFUSED,
            "keep on A's",
            alice,
            (("mode", "specify"), ("ip", B_IPS[0]), ("listed", B_IPS[0]), ("keep", "1")),
        ),
        _a(
            "POST /ui/subusers/{name}",
            REFUSED,
            "A's IP to B's, keeping",
            "/ui/subusers/b-erin",
            (*specify_a, ("listed", A_IPS[0]), ("keep", "1"), ("q", A_IPS[0])),
        ),
        _a(
            "POST /ui/subusers/{name}/active",
            REFUSED,
            "deactivate A's",
            f"{alice}/active",
            (("active", "0"),),
        ),
        _a(
            "POST /ui/operator/accounts/{account}/quota",
            REFUSED,
            "quota of A",
            f"/ui/operator/accounts/{A}/quota",
            (("quota", "0"),),
        ),
        _a(
            "POST /ui/operator/accounts/{account}/take",
            REFUSED,
            "take for A",
            f"/ui/operator/accounts/{A}/take",
            (("count", "1"),),
        ),
        _a("POST /ui/login", REFUSED, "A's name, B's key", "/ui/login", (("api_user", A),)),
        _a(
            "POST /ui/operator/login",
            REFUSED,
            "B's key as a token",
            "/ui/operator/login",
            (("token", "b-key"),),
        ),
        _a(
            "GET /ui",
            REFUSED,
            "signed session naming A with B's key",
            "/ui/",
            session="a-name-b-key",
        ),
        _a(
            "GET /ui/subusers/{name}",
            REFUSED,
            "the same, on A's subuser",
            "/ui/subusers/a-alice",
            session="a-name-b-key",
        ),
        _a(
            "POST /ui/subusers/{name}",
            OWN_WRITE,
            "B's own set",
            "/ui/subusers/b-erin",
            (("mode", "specify"), ("ip", B_IPS[1])),
        ),
        _a(
            "POST /ui/subusers/{name}",
            OWN_WRITE,
            "B's own set, keeping the unlisted, A's IPs named as listed",
            "/ui/subusers/b-erin",
            (("mode", "specify"), ("ip", B_IPS[2]), ("listed", A_IPS[1]), ("keep", "1")),
        ),
        _a(
            "POST /ui/subusers/{name}/active",
            OWN_WRITE,
            "B's own",
            "/ui/subusers/b-erin/active",
            (("active", "0"),),
        ),
        _a("POST /ui/logout", OWN_WRITE, "sign-out, last", "/ui/logout", ()),
    ]


def ui_attacks() -> list[UiAttack]:
    """Every dashboard attack, the ones that may change B's data last."""
    return sorted([*_pages(), *_forms()], key=lambda a: a.expect == OWN_WRITE)


def move_an_ip_from_a_to_b(world: World) -> None:
    """A takes ``MOVED_FROM_A`` from the inventory, a-alice holds it, A releases it, and B
    takes it: the timeline then has A's periods on an IP that B owns."""
    db, a, b = world.db, world.a.account, world.b.account
    add_ips(db, account=a, specs=[MOVED_FROM_A], actor=SEEDER)
    set_subuser_ips(db, account=a, username="a-alice", mode=SetMode.SPECIFY,
                    ips=[A_IPS[0], MOVED_FROM_A], actor=SEEDER)  # fmt: skip
    release_ips(db, account=a, addresses=[MOVED_FROM_A], force=True, actor=SEEDER)
    add_ips(db, account=b, specs=[MOVED_FROM_A], actor=SEEDER)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:300]
    return found.group(1)


def sign_in_b(client: Client, world: World) -> str:
    """Sign B in through the form; B's CSRF token."""
    token = csrf_of(client.request("GET", "/ui/login").text)
    form = {"csrf": token, "api_user": B, "api_key": world.b.key}
    assert client.request("POST", "/ui/login", data=form).status_code == 303
    return csrf_of(client.request("GET", "/ui/").text)


def send_ui(client: Client, world: World, attack: UiAttack, csrf: str) -> httpx.Response:
    """The attack from B's browser (or with no session, or with a signed lie)."""
    cookies: dict[str, str] = {}
    if attack.session == "none":
        cookies = {COOKIE: ""}
    elif attack.session == "a-name-b-key":
        signer = Signer(session_secret(world.db, configured=None), 3600)
        lie = signed_in(Role.RESELLER, A, world.b.key.split(".")[1])
        cookies = {COOKIE: signer.dump(lie)}
    headers = {"cookie": f"{COOKIE}={cookies[COOKIE]}"} if cookies else None
    if attack.form is None:
        return client.request("GET", attack.path, headers=headers)
    pairs = [(k, world.b.key if v == "b-key" else v) for k, v in attack.form]
    return client.request(
        "POST", attack.path, data={"csrf": csrf, **_grouped(pairs)}, headers=headers
    )


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return out


def ui_verdict(attack: UiAttack, resp: httpx.Response) -> bool:
    """True for a refusal (an error page, or the way to sign in), False for a page."""
    assert resp.status_code < 500, f"HTTP {resp.status_code}: {resp.text[:300]}"
    if resp.status_code == 303:
        to_sign_in = resp.headers["location"] == "/ui/login"
        return to_sign_in and attack.route.key != "POST /ui/logout"  # where sign-out leads
    return resp.status_code >= 400
