"""Authlib's stock OAuth 2 client completes the authorization code flow.

Authlib is used exactly as its documentation shows, with PKCE (S256): if it
needs any tweak to talk to Gatehouse, that is a bug in Gatehouse. The user's
part (sign in, allow) is played by a plain `requests.Session` submitting the
server's HTML forms, the way a browser without JavaScript would.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from forms import sign_in_and_allow

# Nothing listens here: the test reads the redirect's Location header instead
# of following it, as a real client's callback handler would receive it.
REDIRECT_URI = "http://127.0.0.1:9000/cb"
SCOPE = "profile read"
USERNAME = "alice"
PASSWORD = "correct horse battery staple"


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

    location = sign_in_and_allow(authorization_url, USERNAME, PASSWORD, REDIRECT_URI)

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
