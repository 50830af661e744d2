"""The dashboard in a real Chromium against a real ``ipfleet serve``, on both backends.

What a person does (sign in, read the counts, change a subuser's set through the form) is
checked against what the v2 API answers for the same account afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

from ipfleet.services.accounts import get_account
from ipfleet.services.ips import remove_ips
from ipfleet.services.log_check import state_and_log
from ipfleet.services.operators import create_operator
from ipfleet.store.uow import Database
from tests.e2e.v2.e2e_server import ACME_IPS, GLOBEX_IPS, Server
from tests.support.browser import PHONE, WAIT_S, chromium, sign_in, submit, text_of
from tests.support.seed import SEEDER

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ACME_NAMES = ["alice", "bob", "carol"]


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    with chromium() as driver:
        yield driver


@pytest.fixture
def acme(browser: WebDriver, server: Server) -> WebDriver:
    """The browser, signed in as the seeded account acme."""
    sign_in(browser, server.base_url, server.api_user, server.api_key)
    assert browser.current_url == f"{server.base_url}/ui/"
    return browser


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    yield db
    db.dispose()


def v2(server: Server, call: str, **params: Any) -> Any:
    creds = {"api_user": server.api_user, "api_key": server.api_key}
    resp = httpx.post(f"{server.base_url}/apiv2/{call}.json", data={**creds, **params})
    assert resp.status_code == 200
    return resp.json()


def sendip_list(server: Server, user: str) -> list[str]:
    return [i["ip"] for i in v2(server, "customer.sendip", task="list", user=user)["ips"]]


def open_set_form(driver: WebDriver, server: Server, user: str) -> None:
    driver.get(f"{server.base_url}/ui/subusers/{user}")
    assert driver.find_element(By.TAG_NAME, "h1").text == user


def tick(driver: WebDriver, address: str, on: bool = True) -> None:
    box = driver.find_element(By.CSS_SELECTOR, f"input[name='ip'][value='{address}']")
    if box.is_selected() != on:
        box.click()


def test_the_overview_counts_are_v2s(acme: WebDriver, server: Server) -> None:
    for state in ("all", "free", "taken", "available"):
        shown = text_of(acme, f"#count-{state}")
        expected = len(v2(server, "customer.ip", list=state))
        assert int(shown.replace(",", "")) == expected, state
    assert acme.find_element(By.CSS_SELECTOR, "figure.chart svg").is_displayed()


def test_the_ips_page_lists_the_accounts_ips_with_their_holders(
    acme: WebDriver, server: Server
) -> None:
    acme.get(f"{server.base_url}/ui/ips?state=taken")
    rows = acme.find_elements(By.CSS_SELECTOR, "#ips tbody tr")
    seen = {r.find_element(By.CSS_SELECTOR, "td.addr").text: r.text for r in rows}
    taken = [i["ip"] for i in v2(server, "customer.ip", list="taken")]
    assert list(seen) == taken
    assert "alice" in seen["192.0.2.10"]


def test_a_set_changed_through_the_form_reads_back_with_v2(
    acme: WebDriver, server: Server, database: Database
) -> None:
    open_set_form(acme, server, "carol")
    acme.find_element(By.ID, "mode-specify").click()
    tick(acme, "2001:db8::1")
    tick(acme, "192.0.2.9")
    submit(acme, "#save")
    assert "Saved" in text_of(acme, ".saved")
    assert sendip_list(server, "carol") == ["192.0.2.9", "2001:db8::1"]
    assert text_of(acme, "#current-set") == "192.0.2.9, 2001:db8::1"
    _state, log = state_and_log(database)
    last = log[-1]
    assert last["action"] == "subuser.set_ips"
    assert last["after"] == {"ips": ["192.0.2.9", "2001:db8::1"]}
    key_id = server.api_key.split(".")[1]
    assert last["actor"] == f"ui:{server.api_user}:{key_id}"


def test_an_ip_no_longer_on_the_account_is_refused_next_to_the_field(
    acme: WebDriver, server: Server, database: Database
) -> None:
    open_set_form(acme, server, "alice")
    tick(acme, "192.0.2.12")
    remove_ips(
        database,
        account=get_account(database, username=server.api_user),
        addresses=["192.0.2.12"],
        release=False,
        actor=SEEDER,
    )
    submit(acme, "#save")
    shown = text_of(acme, "#ip_error")
    refused = v2(server, "customer.sendip", task="append", user="alice", set="specify",
                 ip=["192.0.2.10", "192.0.2.12"])  # fmt: skip
    assert refused["errors"] == ["IP address is not on your account: 192.0.2.12"]
    assert shown == refused["errors"][0]
    assert sendip_list(server, "alice") == ["192.0.2.10"]


def test_a_second_accounts_session_never_shows_the_first_accounts_data(
    acme: WebDriver, server: Server
) -> None:
    with chromium() as other:
        sign_in(other, server.base_url, server.other_user, server.other_key)
        pages = [
            "/ui/",
            "/ui/ips",
            "/ui/subusers",
            "/ui/subusers/alice",
            "/ui/subusers/alice?q=192",
            "/ui/ips/192.0.2.10",
        ]
        for path in pages:
            other.get(f"{server.base_url}{path}")
            source = other.page_source
            leaked = [s for s in [*ACME_IPS, *ACME_NAMES] if s in source and s not in path]
            assert not leaked, f"{path} shows {leaked}"
        other.get(f"{server.base_url}/ui/ips")
        assert GLOBEX_IPS[0] in other.page_source
    acme.get(f"{server.base_url}/ui/ips")
    assert GLOBEX_IPS[0] not in acme.page_source


def test_a_form_without_the_csrf_token_is_refused_and_changes_nothing(
    acme: WebDriver, server: Server, database: Database
) -> None:
    before = state_and_log(database)
    open_set_form(acme, server, "alice")
    acme.find_element(By.ID, "mode-none").click()
    tick(acme, "192.0.2.10", on=False)
    acme.execute_script("document.querySelector('#set-form input[name=csrf]').remove()")
    submit(acme, "#save")
    assert "did not come from this dashboard" in text_of(acme, "p.error")
    cookie = acme.get_cookie("ipfleet_ui")
    assert cookie is not None
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    forged = httpx.post(
        f"{server.base_url}/ui/subusers/alice",
        data={"mode": "none", "csrf": "forged"},
        cookies={"ipfleet_ui": cookie["value"]},
    )
    assert forged.status_code == 403
    assert state_and_log(database) == before
    assert sendip_list(server, "alice") == ["192.0.2.10"]


def test_sign_out_ends_the_session(acme: WebDriver, server: Server) -> None:
    submit(acme, ".signout button")
    assert acme.current_url == f"{server.base_url}/ui/login"
    acme.get(f"{server.base_url}/ui/subusers")
    assert acme.current_url == f"{server.base_url}/ui/login"


def test_wrong_credentials_are_said_next_to_the_field(browser: WebDriver, server: Server) -> None:
    sign_in(browser, server.base_url, server.api_user, server.api_key + "x")
    assert text_of(browser, "#api_key_error") == "Wrong user name or API key"
    assert browser.find_element(By.ID, "api_user").get_attribute("value") == server.api_user


def tab_to(driver: WebDriver, element_id: str, most: int = 60) -> WebElement:
    """Press Tab until the element has the focus, as a keyboard user would."""
    seen = []
    for _ in range(most):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        focused = driver.switch_to.active_element
        seen.append(focused.get_attribute("id") or focused.tag_name)
        if seen[-1] == element_id:
            return focused
    raise AssertionError(f"#{element_id} is not reachable with Tab; focus went {seen}")


def test_the_set_form_filters_without_script_and_keeps_what_it_did_not_list(
    acme: WebDriver, server: Server
) -> None:
    open_set_form(acme, server, "alice")
    acme.find_element(By.ID, "q").send_keys("2001")
    submit(acme, "#find")
    assert acme.current_url.endswith("/ui/subusers/alice?q=2001")
    listed = acme.find_elements(By.CSS_SELECTOR, "#set-form input[name='ip']")
    assert [box.get_attribute("value") for box in listed] == ["2001:db8::1"]
    keep = acme.find_element(By.ID, "keep")
    assert keep.is_selected()  # alice's 192.0.2.10 is not listed: kept unless unticked
    assert "Keep the 1 IP of its set" in text_of(acme, "label[for='keep']")
    acme.find_element(By.ID, "mode-specify").click()
    tick(acme, "2001:db8::1")
    submit(acme, "#save")
    assert "q=2001" in acme.current_url
    assert sendip_list(server, "alice") == ["192.0.2.10", "2001:db8::1"]


def fits_a_phone(phone: WebDriver, what: str) -> None:
    """The page is no wider than the phone's window: nothing scrolls sideways."""
    wide, room = phone.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert wide <= room, f"{what} scrolls sideways: {wide} > {room}"


#: Every page a reseller can open, with the states that change its layout.
RESELLER_PAGES = [
    "/ui/",
    "/ui/ips",
    "/ui/ips?state=taken&size=25",
    "/ui/ips/2001:db8::1",
    "/ui/ips/192.0.2.10",  # with holders and a history
    "/ui/subusers",
    "/ui/subusers/bob",
    "/ui/subusers/alice?q=2001",
    "/ui/subusers/alice?q=nothing-matches",
    "/ui/subusers/nobody",  # the error page
]


def test_every_page_fits_a_phone(server: Server, database: Database) -> None:
    token = create_operator(database, name="phone-ops", actor=SEEDER)
    with chromium(PHONE) as phone:
        phone.get(f"{server.base_url}/ui/login")
        fits_a_phone(phone, "/ui/login")
        sign_in(phone, server.base_url, server.api_user, server.api_key + "x")
        fits_a_phone(phone, "/ui/login with an error")
        sign_in(phone, server.base_url, server.api_user, server.api_key)
        for path in RESELLER_PAGES:
            phone.get(f"{server.base_url}{path}")
            fits_a_phone(phone, path)
        open_set_form(phone, server, "alice")
        phone.find_element(By.ID, "mode-none").click()
        submit(phone, "#save")
        assert text_of(phone, "#ip_error")  # the boxes stay ticked with "no set"
        fits_a_phone(phone, "/ui/subusers/alice with an error")
    with chromium(PHONE) as phone:
        phone.get(f"{server.base_url}/ui/login")
        phone.find_element(By.ID, "token").send_keys(token)
        submit(phone, "form[action='/ui/operator/login'] button")
        assert phone.current_url.endswith("/ui/operator")
        fits_a_phone(phone, "/ui/operator")
        phone.find_element(By.ID, "take-1").send_keys("nonsense")
        submit(phone, "#take-1 ~ button")
        fits_a_phone(phone, "/ui/operator with an error")


def test_the_set_form_works_from_the_keyboard_with_a_visible_focus(server: Server) -> None:
    with chromium(PHONE) as phone:
        sign_in(phone, server.base_url, server.api_user, server.api_key)
        open_set_form(phone, server, "carol")
        group = tab_to(phone, "mode-none")  # a radio group is one Tab stop: its checked one
        outline = phone.execute_script("return getComputedStyle(arguments[0]).outlineStyle", group)
        assert outline != "none", "the focused control shows no focus ring"
        group.send_keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN)  # arrows choose within the group
        assert phone.find_element(By.ID, "mode-specify").is_selected()
        tab_to(phone, "ip-1").send_keys(Keys.SPACE)
        tab_to(phone, "save").send_keys(Keys.ENTER)
        WebDriverWait(phone, WAIT_S).until(lambda d: "saved=1" in d.current_url)
    assert sendip_list(server, "carol") == [ACME_IPS[0]]
