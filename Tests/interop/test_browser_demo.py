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
from urllib.parse import urlsplit

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from chromium import WAIT_SECONDS, browser  # noqa: F401 (a fixture)

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
