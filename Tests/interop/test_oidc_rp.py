"""Authlib's OpenID Connect client is the relying party of a Gatehouse code flow.

Everything Authlib needs it takes from discovery: the authorization and token
endpoints, the JWKS and the issuer. The id_token is validated the way an OpenID
Connect relying party must (Core §3.1.3.7): the ES256 signature against the
JWKS, iss, aud, exp, the nonce it sent and at_hash against the access token,
by joserfc and Authlib's own `CodeIDToken` claims class. Then userinfo answers with the
claims of the granted scopes, and RP-initiated logout returns to the client.
If Authlib needed any tweak to talk to Gatehouse, that would be a bug in
Gatehouse. The user's part is played by a plain `requests.Session` on the
built-in forms.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.jwk import KeySet

from forms import sign_in_and_allow

REDIRECT_URI = "http://127.0.0.1:9000/cb"
LOGOUT_URI = "http://127.0.0.1:9000/signed-out"
SCOPE = "openid profile email"
USERNAME = "oidc-alice"
PASSWORD = "correct horse battery staple"


def _discover(gatehouse) -> dict:
    response = requests.get(gatehouse.url("/.well-known/openid-configuration"), timeout=10)
    assert response.status_code == 200, response.text
    metadata = response.json()
    assert metadata["issuer"] == gatehouse.issuer
    assert "openid" in metadata["scopes_supported"]
    assert metadata["id_token_signing_alg_values_supported"] == ["ES256"]
    assert metadata["subject_types_supported"] == ["public"]
    return metadata


def _validate(id_token: str, metadata: dict, client_id: str, nonce: str | None, access_token: str) -> CodeIDToken:
    jwks = requests.get(metadata["jwks_uri"], timeout=10).json()
    # The signature, by joserfc (Authlib's JOSE successor), with the key of the header's kid.
    token = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["ES256"])
    claims = CodeIDToken(
        token.claims,
        token.header,
        options={"iss": {"essential": True, "values": [metadata["issuer"]]}},
        params={"nonce": nonce, "client_id": client_id, "access_token": access_token},
    )
    # iss, aud, exp, iat, auth_time, nonce and at_hash (CodeIDToken.validate_at_hash).
    claims.validate(leeway=5)
    return claims


def test_authlib_relying_party_with_discovery_id_token_userinfo_and_logout(gatehouse):
    gatehouse.cli(
        "users", "create", "--username", USERNAME, "--password", PASSWORD,
        "--email", "alice@example.com", "--name", "Alice Example",
    )
    client = gatehouse.create_client(
        "authlib-oidc-rp", REDIRECT_URI, SCOPE + " read", "--post-logout-redirect-uri", LOGOUT_URI
    )
    metadata = _discover(gatehouse)

    session = OAuth2Session(
        client["client_id"],
        client["client_secret"],
        scope=SCOPE,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    nonce = generate_token(20)
    code_verifier = generate_token(48)
    authorization_url, state = session.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=code_verifier, nonce=nonce
    )
    assert parse_qs(urlsplit(authorization_url).query)["nonce"] == [nonce]

    location = sign_in_and_allow(authorization_url, USERNAME, PASSWORD, REDIRECT_URI)
    token = session.fetch_token(
        metadata["token_endpoint"],
        authorization_response=location,
        code_verifier=code_verifier,
        state=state,
    )
    assert token["id_token"]

    claims = _validate(token["id_token"], metadata, client["client_id"], nonce, token["access_token"])
    assert claims["aud"] == client["client_id"]
    assert claims["nonce"] == nonce
    assert claims["at_hash"]
    assert claims["sid"]
    subject = claims["sub"]

    # Userinfo with the access token, through Authlib's session.
    userinfo = session.get(metadata["userinfo_endpoint"], timeout=10)
    assert userinfo.status_code == 200, userinfo.text
    info = userinfo.json()
    assert info["sub"] == subject
    assert info["preferred_username"] == USERNAME
    assert info["name"] == "Alice Example"
    assert info["email"] == "alice@example.com"
    assert info["email_verified"] is False

    # A refresh brings a new id_token for the same subject, without the nonce.
    refreshed = session.refresh_token(metadata["token_endpoint"])
    again = _validate(refreshed["id_token"], metadata, client["client_id"], None, refreshed["access_token"])
    assert again["sub"] == subject
    assert "nonce" not in again
    assert again["auth_time"] == claims["auth_time"]

    # RP-initiated logout: back to the registered URI with state.
    logout = requests.get(
        metadata["end_session_endpoint"] + "?" + urlencode(
            {"id_token_hint": token["id_token"], "post_logout_redirect_uri": LOGOUT_URI, "state": "bye"}
        ),
        allow_redirects=False,
        timeout=10,
    )
    assert logout.status_code in (302, 303), logout.text
    assert logout.headers["Location"] == LOGOUT_URI + "?state=bye"


def test_prompt_none_without_a_session_is_login_required(gatehouse):
    client = gatehouse.create_client("authlib-oidc-none", REDIRECT_URI, SCOPE)
    metadata = _discover(gatehouse)
    session = OAuth2Session(
        client["client_id"], client["client_secret"], scope=SCOPE, redirect_uri=REDIRECT_URI, code_challenge_method="S256"
    )
    authorization_url, state = session.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=generate_token(48), nonce=generate_token(20), prompt="none"
    )
    response = requests.get(authorization_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    params = parse_qs(urlsplit(response.headers["Location"]).query)
    assert params["error"] == ["login_required"]
    assert params["state"] == [state]
    assert params["iss"] == [gatehouse.issuer]
