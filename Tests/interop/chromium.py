"""Headless Chromium (Debian's packages) driven by Selenium, as a pytest fixture.

Import `browser` into a test module to use it as a fixture there.
"""

from __future__ import annotations

import os
from typing import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

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
