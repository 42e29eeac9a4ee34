"""Apache's mod_oauth2, a resource server nobody here wrote, trusts Gatehouse.

Debian's libapache2-mod-oauth2 guards a static file on a private Apache; a
client presents a Gatehouse access token as a Bearer token and Apache alone
decides. How it verifies tokens is one `OAuth2TokenVerify` line in its
configuration, so each way Gatehouse offers gets a test with its own line and
the same protected site:

- introspect: RFC 7662 introspection at every request, so a token revoked at
  Gatehouse is refused by the very next request.
- jwks_uri: a JWT access token (RFC 9068) is verified locally against
  Gatehouse's JWK Set. Nothing is asked per request, so a revocation goes
  unseen until the token expires; that is the trade-off, not tested here.

A token a service obtained by token exchange (RFC 8693) from another's token is
a Gatehouse access token like any other: both ways accept it, and with
introspection, revoking the subject token refuses the exchanged one.

The reference for mod_oauth2's options is the comment block of Debian's
/etc/apache2/mods-available/oauth2.conf.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests

MOD_OAUTH2 = Path("/usr/lib/apache2/modules/mod_oauth2.so")

PROTECTED_PATH = "/protected"
PROTECTED_CONTENT = "Only for bearers of a valid Gatehouse token.\n"
SCOPE = "read"


def _protected_site(document: Path, token_verify: str) -> str:
    """Apache configuration serving `document` at PROTECTED_PATH to valid tokens only.

    `token_verify` is the complete `OAuth2TokenVerify ...` line: it is all that
    differs between the ways of verifying a Gatehouse token.
    """
    return f"""\
LoadModule oauth2_module "{MOD_OAUTH2}"
Alias {PROTECTED_PATH} "{document}"
<Location {PROTECTED_PATH}>
  AuthType oauth2
  Require valid-user
  {token_verify}
</Location>
"""


def _introspection_verify(introspect_url: str, client: dict) -> str:
    """Verify each token by asking Gatehouse's RFC 7662 endpoint as `client`."""
    options = urlencode(
        {
            "introspect.auth": "client_secret_basic",
            "client_id": client["client_id"],
            "client_secret": client["client_secret"],
            # mod_oauth2 caches a token it found valid for `expiry` seconds
            # (300 by default) and would go on accepting it after revocation.
            "expiry": "0",
        }
    )
    return f"OAuth2TokenVerify introspect {introspect_url} {options}"


def _jwks_verify(jwks_url: str) -> str:
    """Verify each token's signature locally against the JWK Set at `jwks_url`.

    Of the claims, mod_oauth2 (Debian's 3.3 on liboauth2 1.4.5) checks only
    `exp`, `iat` and `iss`, and no option gives it the issuer to expect:
    `verify.iss` compares with an issuer only its OpenID Connect code learns,
    so `verify.iss=required` refuses every token and `optional` checks
    nothing. `aud` it never looks at. What it can check, it must find.
    """
    options = urlencode(
        {
            # mod_oauth2 keeps the JWK Set for a minute, and fetches it again
            # at once when no key it holds verifies a token (after a rotation).
            "jwks_uri.expiry": "60",
            # As for introspection: no caching of verification results.
            "expiry": "0",
            "verify.exp": "required",
            "verify.iat": "required",
        }
    )
    return f"OAuth2TokenVerify jwks_uri {jwks_url} {options}"


def _flip_signature_character(token: str) -> str:
    """The JWT with one character of its signature changed.

    The first character, not the last: the low bits of a base64url string's
    last character can be padding that decoders ignore.
    """
    header, payload, signature = token.split(".")
    flipped = "B" if signature[0] == "A" else "A"
    return f"{header}.{payload}.{flipped}{signature[1:]}"


def _create_service_client(gatehouse, name: str, *extra: str) -> dict:
    """Register a confidential client_credentials client; returns the CLI's JSON."""
    output = gatehouse.cli(
        "clients", "create",
        "--name", name,
        "--grant-type", "client_credentials",
        *extra,
        "--json",
    )
    return json.loads(output)


def _access_token(gatehouse, client: dict) -> str:
    response = requests.post(
        gatehouse.token_url,
        auth=(client["client_id"], client["client_secret"]),
        data={"grant_type": "client_credentials", "scope": SCOPE},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def _get_protected(apache, token: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return requests.get(apache.url(PROTECTED_PATH), headers=headers, timeout=10)


def _challenge(response: requests.Response) -> str:
    assert response.status_code == 401, (response.status_code, response.text)
    challenge = response.headers.get("WWW-Authenticate", "")
    assert challenge.startswith("Bearer"), challenge
    return challenge


@pytest.fixture
def mod_oauth2() -> Path:
    if not os.access(MOD_OAUTH2, os.R_OK):
        pytest.fail(
            f"{MOD_OAUTH2} not found: apt-get install libapache2-mod-oauth2 "
            "(scripts/interop-test does it for you)"
        )
    return MOD_OAUTH2


def test_introspection_accepts_valid_and_refuses_revoked_tokens(
    gatehouse, apache, mod_oauth2
):
    # Apache's own client, allowed to introspect other clients' tokens.
    resource_server = _create_service_client(gatehouse, "apache", "--can-introspect")
    worker = _create_service_client(gatehouse, "worker", "--scope", SCOPE)

    document = apache.add_document("protected.txt", PROTECTED_CONTENT)
    apache.start(
        _protected_site(
            document,
            _introspection_verify(gatehouse.url("/oauth2/introspect"), resource_server),
        )
    )

    challenge = _challenge(_get_protected(apache, None))
    assert 'error="invalid_request"' in challenge, challenge

    token = _access_token(gatehouse, worker)
    response = _get_protected(apache, token)
    assert response.status_code == 200, (response.status_code, response.text)
    assert response.text == PROTECTED_CONTENT

    revocation = requests.post(
        gatehouse.url("/oauth2/token/revoke"),
        auth=(worker["client_id"], worker["client_secret"]),
        data={"token": token},
        timeout=10,
    )
    assert revocation.status_code == 200, revocation.text

    challenge = _challenge(_get_protected(apache, token))
    assert 'error="invalid_token"' in challenge, challenge

    challenge = _challenge(_get_protected(apache, "not-a-gatehouse-token"))
    assert 'error="invalid_token"' in challenge, challenge


def test_jwks_uri_accepts_valid_and_refuses_tampered_jwts(gatehouse, apache, mod_oauth2):
    worker = _create_service_client(
        gatehouse, "worker", "--scope", SCOPE, "--token-format", "jwt"
    )

    document = apache.add_document("protected.txt", PROTECTED_CONTENT)
    apache.start(_protected_site(document, _jwks_verify(gatehouse.url("/oauth2/jwks"))))

    challenge = _challenge(_get_protected(apache, None))
    assert 'error="invalid_request"' in challenge, challenge

    token = _access_token(gatehouse, worker)
    assert token.count(".") == 2, f"not a compact JWS: {token}"
    response = _get_protected(apache, token)
    assert response.status_code == 200, (response.status_code, response.text)
    assert response.text == PROTECTED_CONTENT

    challenge = _challenge(_get_protected(apache, _flip_signature_character(token)))
    assert 'error="invalid_token"' in challenge, challenge

    challenge = _challenge(_get_protected(apache, "not-a-gatehouse-token"))
    assert 'error="invalid_token"' in challenge, challenge

    # The untouched token still passes: the refusal above was the signature's.
    response = _get_protected(apache, token)
    assert response.status_code == 200, (response.status_code, response.text)


TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"


def _exchange(gatehouse, client: dict, subject_token: str, **extra: str) -> dict:
    """RFC 8693 §2.1: `client` trades `subject_token` for a new access token."""
    response = requests.post(
        gatehouse.token_url,
        auth=(client["client_id"], client["client_secret"]),
        data={
            "grant_type": TOKEN_EXCHANGE,
            "subject_token": subject_token,
            "subject_token_type": ACCESS_TOKEN_TYPE,
            **extra,
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["issued_token_type"] == ACCESS_TOKEN_TYPE, body
    assert body["token_type"] == "Bearer", body
    assert "refresh_token" not in body, body
    return body


def test_introspection_accepts_an_exchanged_token_until_its_subject_is_revoked(
    gatehouse, apache, mod_oauth2
):
    resource_server = _create_service_client(gatehouse, "apache", "--can-introspect")
    worker = _create_service_client(gatehouse, "worker", "--scope", "read write")
    # The gateway may exchange tokens and act for their subjects.
    gateway = _create_service_client(
        gatehouse, "gateway", "--grant-type", "token_exchange", "--scope", SCOPE
    )
    gateway_token = requests.post(
        gatehouse.token_url,
        auth=(gateway["client_id"], gateway["client_secret"]),
        data={"grant_type": "client_credentials"},
        timeout=10,
    )
    assert gateway_token.status_code == 200, gateway_token.text

    document = apache.add_document("protected.txt", PROTECTED_CONTENT)
    apache.start(
        _protected_site(
            document,
            _introspection_verify(gatehouse.url("/oauth2/introspect"), resource_server),
        )
    )

    subject = _access_token(gatehouse, worker)
    exchanged = _exchange(
        gatehouse,
        gateway,
        subject,
        scope=SCOPE,
        actor_token=gateway_token.json()["access_token"],
        actor_token_type=ACCESS_TOKEN_TYPE,
    )
    assert exchanged["scope"] == SCOPE
    response = _get_protected(apache, exchanged["access_token"])
    assert response.status_code == 200, (response.status_code, response.text)
    assert response.text == PROTECTED_CONTENT

    introspection = requests.post(
        gatehouse.url("/oauth2/introspect"),
        auth=(resource_server["client_id"], resource_server["client_secret"]),
        data={"token": exchanged["access_token"]},
        timeout=10,
    ).json()
    assert introspection["active"] is True, introspection
    assert introspection["sub"] == worker["client_id"], introspection
    assert introspection["client_id"] == gateway["client_id"], introspection
    assert introspection["act"] == {"sub": gateway["client_id"]}, introspection

    revocation = requests.post(
        gatehouse.url("/oauth2/token/revoke"),
        auth=(worker["client_id"], worker["client_secret"]),
        data={"token": subject},
        timeout=10,
    )
    assert revocation.status_code == 200, revocation.text
    challenge = _challenge(_get_protected(apache, exchanged["access_token"]))
    assert 'error="invalid_token"' in challenge, challenge


def test_jwks_uri_accepts_an_exchanged_jwt(gatehouse, apache, mod_oauth2):
    worker = _create_service_client(gatehouse, "worker", "--scope", "read write")
    gateway = _create_service_client(
        gatehouse, "gateway", "--grant-type", "token_exchange", "--scope", SCOPE,
        "--token-format", "jwt",
    )

    document = apache.add_document("protected.txt", PROTECTED_CONTENT)
    apache.start(_protected_site(document, _jwks_verify(gatehouse.url("/oauth2/jwks"))))

    exchanged = _exchange(gatehouse, gateway, _access_token(gatehouse, worker))
    token = exchanged["access_token"]
    assert token.count(".") == 2, f"not a compact JWS: {token}"
    response = _get_protected(apache, token)
    assert response.status_code == 200, (response.status_code, response.text)
    assert response.text == PROTECTED_CONTENT

    challenge = _challenge(_get_protected(apache, _flip_signature_character(token)))
    assert 'error="invalid_token"' in challenge, challenge
