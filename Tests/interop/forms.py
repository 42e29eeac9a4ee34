"""The user's part of a code flow, played by a plain `requests.Session` on Gatehouse's built-in pages.

It submits the server's HTML forms the way a browser without JavaScript would,
and returns the Location of the final redirect to the client instead of
following it, as a real client's callback handler would receive it.
"""

from __future__ import annotations

from html.parser import HTMLParser

import requests


class FormFields(HTMLParser):
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


def form_fields(html: str) -> FormFields:
    parser = FormFields()
    parser.feed(html)
    parser.close()
    return parser


def sign_in_and_allow(authorization_url: str, username: str, password: str, redirect_uri: str) -> str:
    """Sign in on the login page, allow on the consent page, return the redirect's Location."""
    browser = requests.Session()

    login_page = browser.get(authorization_url, timeout=10)
    assert login_page.status_code == 200, login_page.text
    login_form = form_fields(login_page.text)
    assert {"username", "password", "csrf_token"} <= login_form.inputs.keys()

    # The form has no action, so it posts back to the authorization URL with
    # its query; login_page.url is that URL as the server saw it.
    consent_page = browser.post(
        login_page.url,
        data={"username": username, "password": password, "csrf_token": login_form.inputs["csrf_token"]},
        timeout=10,
    )
    assert consent_page.status_code == 200, consent_page.text
    consent_form = form_fields(consent_page.text)
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
    assert location.startswith(redirect_uri + "?"), location
    return location
