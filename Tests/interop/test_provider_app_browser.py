"""A real browser signs in at a provider's own app, which answers Gatehouse's challenges.

Gatehouse runs with `login_url` and `consent_url` pointing at the example
provider app (`Examples/ProviderApp`, SPEC §10 "Delegated login and consent").
Headless Chromium starts a code flow, is sent to the provider's login page,
signs in there as the provider's own user, allows on the provider's consent
page, and lands at the client with a code. The tokens then speak for the
provider's subject, a user Gatehouse's own user table has never seen.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import secrets
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from chromium import WAIT_SECONDS, browser  # noqa: F401 (a fixture)
from conftest import _free_loopback_port, _run_gatehouse
from example_apps import start_example



class _Callback(http.server.BaseHTTPRequestHandler):
    """The client's redirect URI: records the query the browser brings back."""

    received: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).received.append(self.path)
        body = b"<!doctype html><title>callback</title><p id=done>done</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's name)
        pass


@pytest.fixture
def callback():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Callback)
    _Callback.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/callback", _Callback.received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def delegated(gatehouse_binary: Path, tmp_path: Path):
    """Gatehouse delegating login and consent to the example provider app, and the app."""
    provider_binary = gatehouse_binary.parent / "gatehouse-example-provider"
    assert provider_binary.is_file(), f"no {provider_binary}: run swift build first"
    port = _free_loopback_port()
    provider = f"http://127.0.0.1:{port}"
    servers = _run_gatehouse(
        gatehouse_binary,
        tmp_path,
        env={"GATEHOUSE_LOGIN_URL": f"{provider}/login", "GATEHOUSE_CONSENT_URL": f"{provider}/consent"},
    )
    gatehouse = next(servers)
    process = None
    try:
        admin = json.loads(gatehouse.cli("clients", "create", "--name", "provider-app", "--admin", "--json"))
        process = start_example(provider_binary, port, gatehouse.issuer, admin, tmp_path / "provider.log")
        yield gatehouse, provider
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)
        servers.close()


def test_a_provider_user_signs_in_and_consents_in_the_providers_app(delegated, callback, browser):
    gatehouse, provider = delegated
    redirect_uri, received = callback
    client = gatehouse.create_client("webapp", redirect_uri, "profile")
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(16)
    wait = WebDriverWait(browser, WAIT_SECONDS)

    browser.get(
        gatehouse.authorize_url
        + "?"
        + urlencode(
            {
                "response_type": "code",
                "client_id": client["client_id"],
                "redirect_uri": redirect_uri,
                "scope": "profile",
                "state": state,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
    )

    # The provider's login page, not Gatehouse's.
    username = wait.until(EC.visibility_of_element_located((By.ID, "username")))
    assert browser.current_url.startswith(f"{provider}/login?login_challenge=")
    username.send_keys("alice")
    browser.find_element(By.ID, "password").send_keys("wonderland")
    browser.find_element(By.ID, "sign-in").click()

    # The provider's consent page.
    allow = wait.until(EC.element_to_be_clickable((By.ID, "allow")))
    assert browser.current_url.startswith(f"{provider}/consent?consent_challenge=")
    assert "webapp" in browser.page_source
    allow.click()

    # Back at the client, with a code.
    wait.until(EC.visibility_of_element_located((By.ID, "done")))
    callbacks = [path for path in received if path.startswith("/callback?")]
    assert len(callbacks) == 1
    query = parse_qs(urlsplit(callbacks[0]).query)
    assert query["state"] == [state]
    assert query["iss"] == [gatehouse.issuer]

    token = requests.post(
        gatehouse.token_url,
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
        auth=(client["client_id"], client["client_secret"]),
        timeout=10,
    )
    assert token.status_code == 200, token.text
    me = requests.get(
        gatehouse.url("/api/me"),
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        timeout=10,
    )
    assert me.status_code == 200, me.text
    # The provider's own subject and username: Gatehouse's user table is empty.
    assert me.json()["sub"] == "provider-user-1001"
    assert me.json()["username"] == "alice"
