"""The dashboard in process, on both backends: an IP's history for this account only, the
subusers' mail domains, the set form of an account with more IPs than one page lists, and
the operator's inventory per MTA.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

import httpx
import pytest

from ipfleet.domain.records import Account
from ipfleet.services.accounts import get_account
from ipfleet.services.inventory import add_to_inventory
from ipfleet.services.ips import add_ips, release_ips, set_mta
from ipfleet.services.operators import create_operator
from ipfleet.services.sending_domains import add_sending_domain, attach_sending_domain
from ipfleet.services.subusers import SetMode, set_subuser_ips, subuser_ips
from ipfleet.store.uow import Database
from tests.support.inprocess import Client
from tests.support.seed import SEEDER, Sub, seed_subuser
from tests.support.ui import csrf_of, operator_sign_in, sign_in
from tests.support.v2_world import A_ALL, A_SUBUSERS, B_SUBUSERS, ODD_NAME, A, B, C, World

MOVED = "192.0.2.10"  # A's, held by alice and bob


def _account(db: Database, name: str) -> Account:
    return get_account(db, username=name)


def _history(html: str) -> list[tuple[str, str]]:
    """(what, until) of each row of the history table."""
    body = html.split('id="history"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<td data-label="What">(.*?)</td>.*?data-label="Until">([^<]*)<', body, re.S)
    return [(re.sub(r"<[^>]+>", "", what), until) for what, until in rows]


def _move(db: Database, address: str, source: str, target: str) -> None:
    """Move an address between accounts through the inventory, as an operator would."""
    release_ips(db, account=_account(db, source), addresses=[address], force=True, actor=SEEDER)
    add_ips(db, account=_account(db, target), specs=[address], actor=SEEDER)


def test_an_ips_history_shows_only_this_accounts_periods(
    client: Client, make_client: Callable[..., Client], world: World
) -> None:
    db = world.db
    sign_in(client, A, world.keys[A])
    first = _history(client.get(f"/ui/ips/{MOVED}").text)
    assert ("on the account", "now") in first
    assert {("held by alice", "now"), ("held by bob", "now")} <= set(first)

    # A -> B (held there by erin) -> back to A.
    _move(db, MOVED, A, B)
    set_subuser_ips(db, account=_account(db, B), username="erin", mode=SetMode.SPECIFY,
                    ips=["198.51.100.1", MOVED], actor=SEEDER)  # fmt: skip
    assert client.get(f"/ui/ips/{MOVED}").status_code == 404  # not A's any more
    b_client = make_client()
    sign_in(b_client, B, world.keys[B])
    b_page = b_client.get(f"/ui/ips/{MOVED}").text
    assert _history(b_page) == [("on the account", "now"), ("held by erin", "now")]
    for name_of_a in (A, "alice", "bob"):
        assert escape(name_of_a) not in b_page.split('id="history"')[1]
    _move(db, MOVED, B, A)

    again = client.get(f"/ui/ips/{MOVED}").text
    rows = _history(again)
    assert [r for r in rows if r[0] == "on the account"][-1] == ("on the account", "now")
    assert len([r for r in rows if r[0] == "on the account"]) == 2  # both of A's tenancies
    assert all(until != "now" for what, until in rows if what.startswith("held by"))
    history = again.split('id="history"')[1]
    for name_of_b in ("erin", escape(B)):
        assert name_of_b not in history
    b_after = _history(b_client.get("/ui/ips/198.51.100.1").text)
    assert all("alice" not in what for what, _ in b_after)


def test_the_subusers_page_shows_each_ones_mail_domain(client: Client, world: World) -> None:
    db = world.db
    for owner, domain, sub in ((A, "mail.a.test", "alice"), (B, "mail.b.test", "erin")):
        add_sending_domain(db, account=_account(db, owner), mail_domain=domain, url_domain=None,
                           actor=SEEDER)  # fmt: skip
        attach_sending_domain(db, account=_account(db, owner), username=sub, mail_domain=domain,
                              actor=SEEDER)  # fmt: skip
    sign_in(client, A, world.keys[A])
    html = client.get("/ui/subusers").text
    row = re.search(r">alice</a></td>.*?</tr>", html, re.S)
    assert row
    assert 'data-label="Mail domain" class="domain">mail.a.test<' in row.group(0)
    assert "mail.b.test" not in html
    assert html.count('data-label="Mail domain"') == len(A_SUBUSERS)
    assert 'id="mail-domain">mail.a.test<' in client.get("/ui/subusers/alice").text
    assert 'id="mail-domain">none<' in client.get("/ui/subusers/bob").text
    assert len(B_SUBUSERS) == 2
    assert ODD_NAME in A_SUBUSERS


#: C gets the 254 hosts of 10.9.0.0/24; its subuser zed holds these six.
HELD = ["10.9.0.7", "10.9.0.200", "10.9.0.201", "10.9.0.202", "10.9.0.203", "10.9.0.204"]


@pytest.fixture
def big(client: Client, world: World) -> tuple[Client, str]:
    """C with 254 IPs and a subuser holding six; a client signed in as C and its token."""
    db = world.db
    add_ips(db, account=_account(db, C), specs=["10.9.0.0/24"], actor=SEEDER)
    seed_subuser(db, _account(db, C), "zed", Sub(held=HELD))
    return client, sign_in(client, C, world.keys[C])


def _listed(html: str) -> list[str]:
    return re.findall(r'name="listed" value="([^"]+)"', html)


def _ticked(html: str) -> list[str]:
    return re.findall(r'name="ip" value="([^"]+)" checked', html)


def _zed(world: World) -> list[str]:
    return subuser_ips(world.db, account=_account(world.db, C), username="zed")


def test_the_set_form_lists_a_page_at_a_time_held_ones_first(big: tuple[Client, str]) -> None:
    client, _ = big
    first = client.get("/ui/subusers/zed").text
    listed = _listed(first)
    assert len(listed) == 100
    assert listed[:6] == HELD
    assert listed[6:9] == ["10.9.0.1", "10.9.0.2", "10.9.0.3"]
    assert _ticked(first) == HELD
    assert "page 1 of 3" in first
    assert 'name="keep"' in first
    assert 'id="keep"' not in first
    last = client.get("/ui/subusers/zed?page=3").text
    assert len(_listed(last)) == 54
    assert _listed(last)[-1] == "10.9.0.254"
    every = _listed(first) + _listed(client.get("/ui/subusers/zed?page=2").text) + _listed(last)
    assert sorted(every) == sorted(f"10.9.0.{n}" for n in range(1, 255))  # each once
    found = client.get("/ui/subusers/zed?q=+10.9.0.20+").text
    assert _listed(found) == [*HELD[1:], "10.9.0.20", *(f"10.9.0.{n}" for n in range(205, 210))]
    assert "11 containing" in found
    assert 'id="keep" name="keep" value="1" checked' in found
    assert "Keep the 1 IP of its set not listed" in found
    nothing = client.get("/ui/subusers/zed?q=%3Cb%3E").text
    assert "No IP of the account contains “&lt;b&gt;”" in nothing
    assert client.get("/ui/subusers/zed?page=99").status_code == 200  # the last page


def _post(client: Client, csrf: str, page_html: str, **form: object) -> httpx.Response:
    fields = {"csrf": csrf, "listed": _listed(page_html), **form}
    return client.post("/ui/subusers/zed", data=fields)


def test_saving_one_page_keeps_the_held_ips_it_did_not_list(
    big: tuple[Client, str], world: World
) -> None:
    client, csrf = big
    second = client.get("/ui/subusers/zed?page=2").text
    assert "Keep the 6 IPs of its set not listed" in second
    resp = _post(client, csrf, second, mode="specify", ip=["10.9.0.150"], keep="1", page="2")
    assert resp.status_code == 303
    assert resp.headers["location"] == "/ui/subusers/zed?saved=1&page=2"
    assert _zed(world) == ["10.9.0.7", "10.9.0.150", *HELD[1:]]

    # Unticking a listed held IP removes it; the unlisted ones stay.
    found = client.get("/ui/subusers/zed?q=10.9.0.20").text
    ticked = [a for a in _ticked(found) if a != "10.9.0.201"]
    assert _post(client, csrf, found, mode="specify", ip=ticked, keep="1", q="10.9.0.20")
    assert _zed(world) == ["10.9.0.7", "10.9.0.150", "10.9.0.200", *HELD[3:]]


def test_without_keep_the_set_is_exactly_the_ticked_ips(
    big: tuple[Client, str], world: World
) -> None:
    client, csrf = big
    found = client.get("/ui/subusers/zed?q=10.9.0.20").text
    _post(client, csrf, found, mode="specify", ip=["10.9.0.200"], q="10.9.0.20")
    assert _zed(world) == ["10.9.0.200"]  # the user unticked "keep": the rest went
    # Only mode and ip, as the issue specifies the form: exactly v2 customer.sendip.
    client.post("/ui/subusers/zed", data={"csrf": csrf, "mode": "specify", "ip": "10.9.0.9"})
    assert _zed(world) == ["10.9.0.9"]
    # keep means nothing for the other modes.
    _post(client, csrf, found, mode="none", keep="1")
    assert _zed(world) == []


def test_a_refused_page_save_shows_the_same_page_and_the_ticks_sent(
    big: tuple[Client, str], world: World
) -> None:
    client, csrf = big
    second = client.get("/ui/subusers/zed?page=2").text
    resp = _post(client, csrf, second, mode="none", ip=["10.9.0.150"], page="2")
    html = resp.text
    assert resp.status_code == 400
    assert "<p>The ip parameter is not allowed with set=none</p>" in html
    assert _listed(html) == _listed(second)
    assert _ticked(html) == ["10.9.0.150"]
    assert 'id="keep"' in html
    assert 'name="keep" value="1" checked' not in html
    assert csrf_of(html) == csrf
    refused = _post(client, csrf, second, mode="specify", ip=["198.51.100.1"], keep="1")
    assert "IP address is not on your account: 198.51.100.1" in refused.text
    assert _zed(world) == HELD


def test_the_operator_sees_the_inventory_per_mta(client: Client, world: World) -> None:
    db = world.db
    add_to_inventory(db, specs=["10.8.0.0/29"], mta="mta-b", actor=SEEDER)  # 6 hosts
    for address in ("192.0.2.9", "192.0.2.10"):
        set_mta(db, address=address, mta="mta-a", actor=SEEDER)
    set_mta(db, address="10.8.0.1", mta="mta-a", actor=SEEDER)
    operator_sign_in(client, create_operator(db, name="ops", actor=SEEDER))
    html = client.get("/ui/operator").text
    table = html.split('id="mtas"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r'<tr><td data-label="MTA">(.*?)</td><td data-label="Free" class="num">([\d,]+)</td>'
        r'<td data-label="On accounts" class="num">([\d,]+)</td></tr>',
        table,
    )
    on_accounts = len(A_ALL) + 3 - 2  # A's and B's IPs, less the two on mta-a
    assert rows == [
        ("mta-a", "1", "2"),
        ("mta-b", "5", "0"),
        ('<span class="none">on no MTA</span>', "0", str(on_accounts)),
    ]


def test_every_page_of_ips_in_order_the_late_ones_read_from_the_end(
    big: tuple[Client, str],
) -> None:
    client, _ = big
    shown: list[str] = []
    for page in range(1, 12):  # 254 IPs, 25 a page: 11 pages, the last with 4
        html = client.get(f"/ui/ips?state=all&size=25&page={page}").text
        shown += re.findall(r'class="addr"><a href="/ui/ips/[^"]+">([^<]+)</a>', html)
    assert shown == [f"10.9.0.{n}" for n in range(1, 255)]
    free = client.get("/ui/ips?state=free&size=100&page=3").text  # 248 free: 48 on page 3
    listed = re.findall(r'class="addr"><a href="/ui/ips/[^"]+">([^<]+)</a>', free)
    assert listed[-1] == "10.9.0.254"
    assert len(listed) == 48
