"""`make screenshots`: every dashboard page at desktop and phone widths, as PNGs.

Seeds a throwaway SQLite database (the demo account, an inventory, an operator), runs a
real ``ipfleet serve`` on it, and saves what Chromium shows into the directory given
(``docs/screenshots`` by default; run as ``python -m tests.e2e.ui.screenshots``). Also
refuses a page that scrolls sideways on a phone.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from ipfleet.domain.records import Account, Actor
from ipfleet.services import pools, warmup
from ipfleet.services.accounts import create_account, get_account
from ipfleet.services.demo import ensure_demo
from ipfleet.services.inventory import add_to_inventory, take_ips
from ipfleet.services.ips import add_ips, set_hostname, set_mta
from ipfleet.services.operators import create_operator
from ipfleet.services.quota import set_quota
from ipfleet.services.sending_domains import add_sending_domain, attach_sending_domain
from ipfleet.services.subusers import SetMode, set_subuser_ips
from ipfleet.store.migrate import upgrade
from ipfleet.store.uow import Database
from tests.support.browser import DESKTOP, PHONE, chromium, sign_in, submit
from tests.support.server import serving

ACTOR = Actor(name="screenshots", request_id="screenshots")
RESELLER_PAGES = {
    "overview": "/ui/",
    "ips": "/ui/ips",
    "ip": "/ui/ips/192.0.2.1",
    "subusers": "/ui/subusers",
    "subuser": "/ui/subusers/alice",
    "subuser-page-2": "/ui/subusers/bob?page=2",
    "subuser-filtered": "/ui/subusers/alice?q=203.0.113.1",
}


def seed(url: str) -> tuple[str, str]:
    """The demo world; returns the demo key and an operator token."""
    db = Database(url)
    try:
        upgrade(db)
        demo = ensure_demo(db, actor=ACTOR)
        account = get_account(db, username=demo.username)
        pools.create_pool(db, account=account, name="transactional", actor=ACTOR)
        pools.add_pool_ip(db, account=account, name="transactional", address="192.0.2.1",
                          actor=ACTOR)  # fmt: skip
        warmup.start_warmup(db, account=account, address="192.0.2.2", actor=ACTOR)
        set_hostname(db, address="192.0.2.1", hostname="mta1.demo.example", actor=ACTOR)
        _more_of_the_demo(db, account)
        add_to_inventory(db, specs=["198.51.100.0/26"], mta="mta-east", actor=ACTOR)
        add_to_inventory(db, specs=["2001:db8:f::/122"], actor=ACTOR)
        for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
            set_mta(db, address=address, mta="mta-west", actor=ACTOR)
        create_account(db, username="northwind", outbound_cluster=None, actor=ACTOR)
        set_quota(db, account=get_account(db, username="northwind"), quota=40, actor=ACTOR)
        take_ips(db, account=get_account(db, username="northwind"), count=24, actor=ACTOR)
        return demo.api_key, create_operator(db, name="ops", actor=ACTOR)
    finally:
        db.dispose()


def _more_of_the_demo(db: Database, account: Account) -> None:
    """More IPs than the set form lists on one page, mail domains, and a history on
    192.0.2.1 (bob holds it for a while)."""
    add_ips(db, account=account, specs=["203.0.113.0/25"], actor=ACTOR)
    for name, domain in (("alice", "mail.demo.example"), ("bob", "news.demo.example")):
        add_sending_domain(db, account=account, mail_domain=domain, url_domain=None, actor=ACTOR)
        attach_sending_domain(db, account=account, username=name, mail_domain=domain, actor=ACTOR)
    for held in (["192.0.2.1", "192.0.2.2", "192.0.2.3"], ["192.0.2.2", "192.0.2.3"]):
        set_subuser_ips(
            db, account=account, username="bob", mode=SetMode.SPECIFY, ips=held, actor=ACTOR
        )


def no_sideways_scroll(driver: WebDriver, name: str) -> None:
    wide = driver.execute_script("return document.documentElement.scrollWidth")
    room = driver.execute_script("return window.innerWidth")
    if wide > room:
        raise SystemExit(f"{name}: the page is {wide} px wide in a {room} px window")


def shoot(driver: WebDriver, out: Path, name: str, size: tuple[int, int]) -> None:
    """The whole page (the window made as tall as the page) as ``NAME-WIDTH.png``."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(size[0], max(size[1], min(height + 140, 4000)))
    if size == PHONE:
        no_sideways_scroll(driver, name)
    driver.save_screenshot(str(out / f"{name}-{'desktop' if size == DESKTOP else 'phone'}.png"))
    driver.set_window_size(*size)


def take_all(base: str, out: Path, key: str, token: str) -> None:
    for size in (DESKTOP, PHONE):
        with chromium(size) as driver:
            driver.get(f"{base}/ui/login")
            shoot(driver, out, "login", size)
            sign_in(driver, base, "demo", key)
            for name, path in RESELLER_PAGES.items():
                driver.get(base + path)
                shoot(driver, out, name, size)
            driver.get(base + "/ui/subusers/alice")
            driver.find_element(By.CSS_SELECTOR, "input[name='ip'][value='192.0.2.1']").click()
            driver.find_element(By.ID, "mode-none").click()
            submit(driver, "#save")
            shoot(driver, out, "subuser-error", size)
        with chromium(size) as driver:
            driver.get(f"{base}/ui/login")
            driver.find_element(By.ID, "token").send_keys(token)
            submit(driver, "form[action='/ui/operator/login'] button")
            shoot(driver, out, "operator", size)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/shots.db"
        key, token = seed(url)
        with serving(url) as server:
            take_all(server.base, out, key, token)
    print(f"screenshots written to {out}/")


if __name__ == "__main__":
    main()
