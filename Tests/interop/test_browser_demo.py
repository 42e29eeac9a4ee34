"""A real browser clicks through the --demo walkthrough.

This catches what a form-posting HTTP client cannot: cookies as a browser
stores them (SameSite, HttpOnly), the pages' Content-Security-Policy, forms
without an action posting back to the right URL, and the redirects a browser
follows on its own.

Set GATEHOUSE_SCREENSHOT_DIR to keep a screenshot of the consent page there
(consent.png), e.g. for the documentation.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

# Debian's chromium and chromium-driver packages. Naming both keeps Selenium
# from running Selenium Manager, which would try to download a browser.
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

WINDOW_WIDTH, WINDOW_HEIGHT = 1000, 800
WAIT_SECONDS = 20


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            pytest.fail(
                f"{path} not found: apt-get install chromium chromium-driver "
                "(scripts/interop-test does it for you)"
            )

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    options.add_argument("--headless=new")
    # Chromium's sandbox cannot start as root, which is how CI runs.
    options.add_argument("--no-sandbox")
    # /dev/shm is tiny in containers; Chromium crashes when it fills up.
    options.add_argument("--disable-dev-shm-usage")
    # Only the server under test is reachable: fail every other host name at
    # once instead of letting background services wait on DNS.
    options.add_argument("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
    options.add_argument(f"--window-size={WINDOW_WIDTH},{WINDOW_HEIGHT}")
    # The pages are localized from Accept-Language; pin it for a stable test
    # and an English screenshot.
    options.add_argument("--lang=en-US")

    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        _fit_viewport(driver, WINDOW_WIDTH, WINDOW_HEIGHT)
        yield driver
    finally:
        driver.quit()


def _fit_viewport(driver: WebDriver, width: int, height: int) -> None:
    """Resize the window so that the page itself is width x height.

    --window-size sets the outer window, and headless Chromium keeps room in
    it for browser UI it does not draw, so screenshots would come out shorter.
    """
    inner_width, inner_height = driver.execute_script(
        "return [window.innerWidth, window.innerHeight]"
    )
    outer = driver.get_window_size()
    driver.set_window_size(
        outer["width"] + width - inner_width, outer["height"] + height - inner_height
    )


def _save_consent_screenshot(driver: WebDriver, tmp_path: Path) -> None:
    directory = os.environ.get("GATEHOUSE_SCREENSHOT_DIR")
    target = Path(directory) if directory else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(target / "consent.png"))


def test_demo_walkthrough_ends_with_tokens(gatehouse_demo, browser, tmp_path):
    wait = WebDriverWait(browser, WAIT_SECONDS)

    browser.get(gatehouse_demo.url("/"))
    browser.find_element(By.CSS_SELECTOR, "form[action='/demo/start'] button[type=submit]").click()

    # The login page.
    username = wait.until(EC.visibility_of_element_located((By.NAME, "username")))
    assert "/oauth2/authorize" in browser.current_url
    username.send_keys("demo")
    browser.find_element(By.NAME, "password").send_keys("demo")
    browser.find_element(By.CSS_SELECTOR, "form[method=post] button[type=submit]").click()

    # The consent page.
    allow = wait.until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, "button[name=decision][value=allow]"))
    )
    decisions = browser.find_elements(By.CSS_SELECTOR, "button[name=decision]")
    assert sorted(button.get_attribute("value") for button in decisions) == ["allow", "deny"]
    _save_consent_screenshot(browser, tmp_path)
    allow.click()

    # Back at the demo application, which has exchanged the code for tokens.
    wait.until(EC.text_to_be_present_in_element((By.ID, "token"), "access_token"))
    assert urlsplit(browser.current_url).path == "/demo/callback"
    assert browser.find_element(By.ID, "code").text.strip()
