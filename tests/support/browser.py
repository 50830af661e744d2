"""Driving Debian's Chromium through chromedriver (Selenium 4) for the dashboard tests.

Nothing is downloaded: the browser and the driver come from the system's packages. Without
them the tests are skipped, unless ``IPFLEET_TEST_REQUIRE_BROWSER=1`` (set in CI) makes
that a failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

CHROMIUM = os.environ.get("IPFLEET_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("IPFLEET_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
DESKTOP = (1280, 800)
PHONE = (390, 844)
WAIT_S = 20  # the most a page may take to replace the last one (a bound, not a measure)


def require_browser() -> None:
    """Skip (or, when the browser is required, fail) without Chromium and its driver."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if not missing:
        return
    message = f"Chromium is not installed here: {', '.join(missing)} missing"
    if os.environ.get("IPFLEET_TEST_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (IPFLEET_TEST_REQUIRE_BROWSER=1)")
    pytest.skip(message)


@contextmanager
def chromium(size: tuple[int, int] = DESKTOP) -> Iterator[WebDriver]:
    """A headless Chromium with a fresh profile of its own (so its own cookie jar)."""
    require_browser()
    profile = tempfile.mkdtemp(prefix="ipfleet-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={size[0]},{size[1]}",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(30)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def sign_in(driver: WebDriver, base_url: str, user: str, key: str) -> None:
    """Sign in through the form, as a person would: type, then press the button."""
    driver.get(f"{base_url}/ui/login")
    driver.find_element(By.ID, "api_user").send_keys(user)
    driver.find_element(By.ID, "api_key").send_keys(key)
    submit(driver, "form[action='/ui/login'] button")


def submit(driver: WebDriver, css: str) -> None:
    """Press a form's button and wait until the page it leads to has replaced this one."""
    button = driver.find_element(By.CSS_SELECTOR, css)
    button.click()
    WebDriverWait(driver, WAIT_S).until(lambda _driver: _replaced(button))
    WebDriverWait(driver, WAIT_S).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def _replaced(element: WebElement) -> bool:
    """Whether ``element``'s page has gone. Mid-navigation, chromedriver may answer "Node
    with given id does not belong to the document" (an inspector error) where a finished
    navigation answers "stale element": both mean the page was replaced."""
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        if "does not belong to the document" in str(exc):
            return True
        raise
    return False


def text_of(driver: WebDriver, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).text
