"""A client registered by RFC 7591 completes the code flow with Authlib's stock client.

Registration is plain JSON over HTTP (Authlib's client side has no RFC 7591
helper); everything after it is Authlib used as its documentation shows. The
registration endpoint is found through the RFC 8414 metadata, as a client that
knows nothing but the issuer would find it.
"""

from __future__ import annotations

import json

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session

from test_authlib_flow import PASSWORD, REDIRECT_URI, SCOPE, USERNAME, _authorize_with_authlib


def _registration_endpoint(gatehouse) -> str:
    metadata = requests.get(gatehouse.url("/.well-known/oauth-authorization-server"), timeout=10).json()
    assert metadata["registration_endpoint"] == gatehouse.url("/oauth2/register")
    return metadata["registration_endpoint"]


@pytest.mark.gatehouse_env(GATEHOUSE_REGISTRATION="open")
def test_registered_client_completes_code_flow_with_pkce(gatehouse):
    gatehouse.create_user(USERNAME, PASSWORD)
    response = requests.post(
        _registration_endpoint(gatehouse),
        json={
            "client_name": "authlib-registered",
            "redirect_uris": [REDIRECT_URI],
            "token_endpoint_auth_method": "client_secret_post",
            "scope": SCOPE,
            "software_id": "ignored by the server",
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text
    assert response.headers["Cache-Control"] == "no-store"
    client = response.json()
    assert client["client_secret_expires_at"] == 0
    assert client["grant_types"] == ["authorization_code", "refresh_token"]

    session = OAuth2Session(
        client["client_id"],
        client["client_secret"],
        scope=SCOPE,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method=client["token_endpoint_auth_method"],
    )
    token = _authorize_with_authlib(gatehouse, session)
    assert token["scope"] == SCOPE

    # RFC 7592: the registration access token reads the registration back.
    read = requests.get(
        client["registration_client_uri"],
        headers={"Authorization": f"Bearer {client['registration_access_token']}"},
        timeout=10,
    )
    assert read.status_code == 200, read.text
    assert read.json()["redirect_uris"] == [REDIRECT_URI]
    assert "client_secret" not in read.json()


@pytest.mark.gatehouse_env(GATEHOUSE_REGISTRATION="token")
def test_admin_client_registers_a_public_client_for_pkce(gatehouse):
    gatehouse.create_user(USERNAME, PASSWORD)
    portal = json.loads(gatehouse.cli("clients", "create", "--name", "portal", "--admin", "--json"))
    admin_token = OAuth2Session(portal["client_id"], portal["client_secret"], scope="gatehouse:register").fetch_token(
        gatehouse.token_url, grant_type="client_credentials"
    )
    assert admin_token["scope"] == "gatehouse:register"

    endpoint = _registration_endpoint(gatehouse)
    body = {"client_name": "authlib-native", "redirect_uris": [REDIRECT_URI], "token_endpoint_auth_method": "none", "scope": SCOPE}
    refused = requests.post(endpoint, json=body, timeout=10)
    assert refused.status_code == 401
    response = requests.post(
        endpoint, json=body, headers={"Authorization": f"Bearer {admin_token['access_token']}"}, timeout=10
    )
    assert response.status_code == 201, response.text
    client = response.json()
    assert "client_secret" not in client

    session = OAuth2Session(
        client["client_id"],
        scope=SCOPE,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    _authorize_with_authlib(gatehouse, session)
