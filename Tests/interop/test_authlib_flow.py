"""Authlib's stock OAuth 2 client completes the authorization code flow.

Authlib is used exactly as its documentation shows, with PKCE (S256): if it
needs any tweak to talk to Gatehouse, that is a bug in Gatehouse. The user's
part (sign in, allow) is played by a plain `requests.Session` submitting the
server's HTML forms, the way a browser without JavaScript would.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

# Nothing listens here: the test reads the redirect's Location header instead
# of following it, as a real client's callback handler would receive it.
REDIRECT_URI = "http://127.0.0.1:9000/cb"
SCOPE = "profile read"
USERNAME = "alice"
PASSWORD = "correct horse battery staple"


class _FormFields(HTMLParser):
    """Collects the named <input> and <button> values of a page's forms."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, str] = {}
        self.buttons: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if "name" not in attributes:
            return
        if tag == "input":
            self.inputs[attributes["name"]] = attributes.get("value", "")
        elif tag == "button":
            self.buttons.append((attributes["name"], attributes.get("value", "")))


def _form_fields(html: str) -> _FormFields:
    parser = _FormFields()
    parser.feed(html)
    parser.close()
    return parser


def _sign_in_and_allow(authorization_url: str) -> str:
    """Play the browser from the authorization URL to the redirect back.

    Returns the Location of the server's final redirect to the client.
    """
    browser = requests.Session()

    login_page = browser.get(authorization_url, timeout=10)
    assert login_page.status_code == 200, login_page.text
    login_form = _form_fields(login_page.text)
    assert {"username", "password", "csrf_token"} <= login_form.inputs.keys()

    # The form has no action, so it posts back to the authorization URL with
    # its query; login_page.url is that URL as the server saw it.
    consent_page = browser.post(
        login_page.url,
        data={
            "username": USERNAME,
            "password": PASSWORD,
            "csrf_token": login_form.inputs["csrf_token"],
        },
        timeout=10,
    )
    assert consent_page.status_code == 200, consent_page.text
    consent_form = _form_fields(consent_page.text)
    assert ("decision", "allow") in consent_form.buttons
    assert ("decision", "deny") in consent_form.buttons

    redirect = browser.post(
        login_page.url,
        data={"decision": "allow", "csrf_token": consent_form.inputs["csrf_token"]},
        allow_redirects=False,
        timeout=10,
    )
    assert redirect.status_code == 303, redirect.text
    location = redirect.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?"), location
    return location


def _register(gatehouse, name: str) -> dict:
    gatehouse.create_user(USERNAME, PASSWORD)
    return gatehouse.create_client(name, REDIRECT_URI, SCOPE)


def _authorize_with_authlib(gatehouse, session: OAuth2Session) -> dict:
    """Run the code flow through authlib and return the token it fetched."""
    code_verifier = generate_token(48)
    authorization_url, state = session.create_authorization_url(
        gatehouse.authorize_url, code_verifier=code_verifier
    )
    query = parse_qs(urlsplit(authorization_url).query)
    assert query["code_challenge_method"] == ["S256"]

    location = _sign_in_and_allow(authorization_url)

    # RFC 9207: the redirect names its issuer so that a client talking to
    # several servers can tell which one answered (mix-up defence).
    redirect_params = parse_qs(urlsplit(location).query)
    assert redirect_params["iss"] == [gatehouse.issuer]
    assert redirect_params["state"] == [state]

    # Passing state makes authlib check it too, as an application would.
    token = session.fetch_token(
        gatehouse.token_url,
        authorization_response=location,
        code_verifier=code_verifier,
        state=state,
    )
    assert token["access_token"]
    assert token["refresh_token"]
    assert token["token_type"].lower() == "bearer"
    return token


def test_authorization_code_with_pkce_and_refresh_rotation(gatehouse):
    client = _register(gatehouse, "authlib-basic")
    session = OAuth2Session(
        client["client_id"],
        client["client_secret"],
        scope=SCOPE,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )

    first = _authorize_with_authlib(gatehouse, session)

    refreshed = session.refresh_token(gatehouse.token_url)
    assert refreshed["access_token"]
    assert refreshed["access_token"] != first["access_token"]
    assert refreshed["refresh_token"]
    assert refreshed["refresh_token"] != first["refresh_token"]

    # Refresh tokens of confidential clients rotate in Gatehouse: once used,
    # the old one must not work again.
    replay = requests.post(
        gatehouse.token_url,
        auth=(client["client_id"], client["client_secret"]),
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        timeout=10,
    )
    assert replay.status_code == 400, replay.text
    assert replay.json()["error"] == "invalid_grant"


def test_authorization_code_with_client_secret_post(gatehouse):
    client = _register(gatehouse, "authlib-post")
    session = OAuth2Session(
        client["client_id"],
        client["client_secret"],
        scope=SCOPE,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_post",
    )

    # Record what authlib sends, to be sure the secret went in the body: a
    # server that only understood Basic would otherwise pass unnoticed.
    token_requests = []
    session.hooks["response"].append(
        lambda response, *args, **kwargs: token_requests.append(response.request)
    )

    _authorize_with_authlib(gatehouse, session)
    refreshed = session.refresh_token(gatehouse.token_url)
    assert refreshed["access_token"]

    assert len(token_requests) == 2
    for request in token_requests:
        assert "Authorization" not in request.headers
        body = parse_qs(request.body)
        assert body["client_id"] == [client["client_id"]]
        assert body["client_secret"] == [client["client_secret"]]
