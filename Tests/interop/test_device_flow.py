"""The device authorization grant (RFC 8628) with a device client nobody here wrote.

The device is Authlib's OAuth 2.0 client: Authlib has no client call for the
device authorization request itself, so that one request goes through
`requests`; the polling is Authlib's `fetch_token` with the device_code grant
type, which raises Authlib's own errors for `authorization_pending` and
`slow_down`. Headless Chromium plays the user on /device: it follows
verification_uri, types the code shown on the device, signs in and allows,
while the device polls in the background until it gets its tokens.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.integrations.base_client.errors import OAuthError
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from chromium import WAIT_SECONDS, browser  # noqa: F401 (a fixture)

DEVICE_CODE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
USERNAME, PASSWORD = "alice", "correct horse battery"
# The device gives up after this long; the server's codes live 600 s.
POLL_DEADLINE_SECONDS = 120


def _start(gatehouse, client_id: str) -> dict:
    response = requests.post(
        gatehouse.url("/oauth2/device_authorization"),
        data={"client_id": client_id, "scope": "read profile"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    return response.json()


def _poll_until_tokens(session: OAuth2Session, token_url: str, started: dict) -> tuple[dict, list[str]]:
    """Polls as RFC 8628 §3.5 says: every interval seconds, 5 more after slow_down."""
    interval = started["interval"]
    answers: list[str] = []
    deadline = time.monotonic() + POLL_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        try:
            token = session.fetch_token(
                token_url, grant_type=DEVICE_CODE_GRANT_TYPE, device_code=started["device_code"]
            )
            return dict(token), answers
        except OAuthError as error:
            answers.append(error.error)
            if error.error == "slow_down":
                interval += 5
            elif error.error != "authorization_pending":
                raise
        time.sleep(interval)
    raise AssertionError(f"no tokens within {POLL_DEADLINE_SECONDS} s; answers: {answers}")


@pytest.mark.gatehouse_env(GATEHOUSE_DEVICE_POLL_INTERVAL="1")
def test_device_client_polls_while_chromium_allows_on_device_page(gatehouse, browser):
    gatehouse.create_user(USERNAME, PASSWORD)
    client = gatehouse.create_client(
        "living-room-tv", "http://127.0.0.1:9/unused", "read profile",
        "--public", "--grant-type", "device_code", "--grant-type", "refresh_token",
    )
    metadata = requests.get(gatehouse.url("/.well-known/oauth-authorization-server"), timeout=10).json()
    assert metadata["device_authorization_endpoint"] == gatehouse.url("/oauth2/device_authorization")
    assert DEVICE_CODE_GRANT_TYPE in metadata["grant_types_supported"]

    started = _start(gatehouse, client["client_id"])
    assert started["verification_uri"] == gatehouse.url("/device")
    assert started["interval"] == 1
    session = OAuth2Session(client["client_id"], token_endpoint_auth_method="none")

    with ThreadPoolExecutor(max_workers=1) as pool:
        device = pool.submit(_poll_until_tokens, session, metadata["token_endpoint"], started)

        # The user reads the code off the device and types it at verification_uri.
        wait = WebDriverWait(browser, WAIT_SECONDS)
        browser.get(started["verification_uri"])
        code_field = wait.until(EC.visibility_of_element_located((By.NAME, "user_code")))
        code_field.send_keys(started["user_code"].replace("-", "").lower())
        browser.find_element(By.CSS_SELECTOR, "form[method=post] button[type=submit]").click()

        username = wait.until(EC.visibility_of_element_located((By.NAME, "username")))
        username.send_keys(USERNAME)
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form[method=post] button[type=submit]").click()

        allow = wait.until(
            EC.element_to_be_clickable((By.CSS_SELECTOR, "button[name=decision][value=allow]"))
        )
        assert started["user_code"] in browser.page_source
        allow.click()
        wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "main"), "You may return to your device."))

        token, answers = device.result(timeout=POLL_DEADLINE_SECONDS)

    assert "authorization_pending" in answers
    assert token["token_type"] == "Bearer"
    assert sorted(token["scope"].split()) == ["profile", "read"]
    assert token.get("refresh_token")
    me = requests.get(
        gatehouse.url("/api/me"), headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=10
    )
    assert me.status_code == 200, me.text
    assert me.json()["username"] == USERNAME

    # Single use: the device code is spent.
    with pytest.raises(OAuthError) as second:
        session.fetch_token(
            metadata["token_endpoint"], grant_type=DEVICE_CODE_GRANT_TYPE, device_code=started["device_code"]
        )
    assert second.value.error == "invalid_grant"


def test_verification_uri_complete_and_deny(gatehouse, browser):
    gatehouse.create_user(USERNAME, PASSWORD)
    client = gatehouse.create_client(
        "kiosk", "http://127.0.0.1:9/unused", "read", "--public", "--grant-type", "device_code",
    )
    started = _start_plain(gatehouse, client["client_id"])
    wait = WebDriverWait(browser, WAIT_SECONDS)
    # verification_uri_complete carries the code: the user only signs in.
    browser.get(started["verification_uri_complete"])
    username = wait.until(EC.visibility_of_element_located((By.NAME, "username")))
    username.send_keys(USERNAME)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form[method=post] button[type=submit]").click()
    deny = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "button[name=decision][value=deny]")))
    deny.click()
    wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "main"), "The device was not given access."))

    session = OAuth2Session(client["client_id"], token_endpoint_auth_method="none")
    with pytest.raises(OAuthError) as denied:
        session.fetch_token(gatehouse.token_url, grant_type=DEVICE_CODE_GRANT_TYPE, device_code=started["device_code"])
    assert denied.value.error == "access_denied"


def _start_plain(gatehouse, client_id: str) -> dict:
    response = requests.post(gatehouse.url("/oauth2/device_authorization"), data={"client_id": client_id}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()
