"""A JOSE library nobody here wrote, joserfc, verifies Gatehouse's JWT access tokens.

A resource server that validates RFC 9068 access tokens locally has nothing
but the issuer's JWK Set (`GET /oauth2/jwks`) and a JOSE library. joserfc is
used exactly as its documentation shows, so if it needs any tweak to accept a
Gatehouse token, that is a bug in Gatehouse. Each token is checked the way such
a resource server should: signature against a freshly fetched JWK Set (ES256
only), `typ` header `at+jwt`, and the claims RFC 9068 requires, with `iss` and
`aud` pinned to the issuer (Gatehouse's default audience).

`gatehouse keys rotate` on a running server must not break anything: tokens
signed before the rotation stay verifiable (the old key stays published until
they expire) and the server starts signing with the new key within
`key_refresh_interval`.
"""

from __future__ import annotations

import json
import time

import pytest
import requests
from joserfc import jws, jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry, Token

SCOPE = "read write"

# The server under test picks up a rotation this often; its minimum is 1.
KEY_REFRESH_INTERVAL_SECONDS = 1
# How long to keep asking for tokens until one is signed with the new key:
# ten refresh intervals, so that only a server that never switches fails.
NEW_KEY_TIMEOUT_SECONDS = 10.0
NEW_KEY_POLL_SECONDS = 0.2

KEY_ENCRYPTION_KEY = "interop-test key-encryption secret"
KEY_ENCRYPTION_VARIABLE = "GATEHOUSE_KEY_ENCRYPTION_KEY"

# Members of a private EC (or any) JWK that must never be published.
PRIVATE_JWK_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


def _create_jwt_client(gatehouse) -> dict:
    """A confidential client_credentials client whose access tokens are JWTs."""
    output = gatehouse.cli(
        "clients", "create",
        "--name", "svc",
        "--grant-type", "client_credentials",
        "--scope", SCOPE,
        "--token-format", "jwt",
        "--json",
    )
    return json.loads(output)


def _token_response(gatehouse, client: dict) -> dict:
    response = requests.post(
        gatehouse.token_url,
        auth=(client["client_id"], client["client_secret"]),
        data={"grant_type": "client_credentials"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"].lower() == "bearer", body
    return body


def _access_token(gatehouse, client: dict) -> str:
    return _token_response(gatehouse, client)["access_token"]


def _fetch_jwks(gatehouse) -> dict:
    """GET the JWK Set, checking that it publishes public signing keys only."""
    response = requests.get(gatehouse.url("/oauth2/jwks"), timeout=10)
    assert response.status_code == 200, response.text
    jwks = response.json()
    keys = jwks["keys"]
    assert keys, jwks
    for key in keys:
        assert not PRIVATE_JWK_MEMBERS & key.keys(), f"private key material published: {key}"
        assert key["kty"] == "EC" and key["crv"] == "P-256", key
        assert key.get("alg", "ES256") == "ES256", key
        assert key.get("use", "sig") == "sig", key
        assert key["kid"], key
    kids = [key["kid"] for key in keys]
    assert len(set(kids)) == len(kids), f"duplicate kid in the JWKS: {kids}"
    return jwks


def _kids(jwks: dict) -> set[str]:
    return {key["kid"] for key in jwks["keys"]}


def _unverified_kid(token: str) -> str:
    """The kid a token claims, read without verifying anything."""
    return jws.extract_compact(token.encode()).headers()["kid"]


def _verify(gatehouse, token: str, jwks: dict, client: dict) -> Token:
    """Verify `token` as an RFC 9068 resource server would; returns the decoded token."""
    keyset = KeySet.import_key_set(jwks)
    decoded = jwt.decode(token, keyset, algorithms=["ES256"])

    # RFC 9068 §4: the type keeps an ID token or other JWT from passing as an
    # access token. joserfc leaves checking it to the application.
    assert decoded.header["typ"] == "at+jwt", decoded.header
    assert decoded.header["alg"] == "ES256", decoded.header

    # Every claim RFC 9068 §2.2 requires, pinned where the value is known.
    # exp and iat are checked against the clock (no leeway: same machine).
    claims_registry = JWTClaimsRegistry(
        iss={"essential": True, "value": gatehouse.issuer},
        aud={"essential": True, "value": gatehouse.issuer},
        exp={"essential": True},
        iat={"essential": True},
        jti={"essential": True},
        # A client_credentials token is about the client itself.
        sub={"essential": True, "value": client["client_id"]},
        client_id={"essential": True, "value": client["client_id"]},
    )
    claims_registry.validate(decoded.claims)
    assert decoded.claims["exp"] > decoded.claims["iat"], decoded.claims
    return decoded


def _flip_signature_character(token: str) -> str:
    """The token with one character of its signature changed.

    The first character, not the last: the low bits of a base64url string's
    last character can be padding that decoders ignore.
    """
    header, payload, signature = token.split(".")
    flipped = "B" if signature[0] == "A" else "A"
    return f"{header}.{payload}.{flipped}{signature[1:]}"


def _assert_bad_signature(token: str, jwks: dict) -> None:
    with pytest.raises(BadSignatureError):
        jwt.decode(
            _flip_signature_character(token),
            KeySet.import_key_set(jwks),
            algorithms=["ES256"],
        )


def _signing_key(gatehouse) -> str:
    """The kid `gatehouse keys list` reports as the signing key."""
    keys = json.loads(gatehouse.cli("keys", "list", "--json"))
    signing = [key["kid"] for key in keys if key["status"] == "signing"]
    assert len(signing) == 1, keys
    return signing[0]


def _token_signed_with_another_key(gatehouse, client: dict, old_kid: str) -> str:
    """Ask for tokens until one is signed with a key other than `old_kid`."""
    deadline = time.monotonic() + NEW_KEY_TIMEOUT_SECONDS
    while True:
        token = _access_token(gatehouse, client)
        if _unverified_kid(token) != old_kid:
            return token
        if time.monotonic() >= deadline:
            pytest.fail(
                f"tokens were still signed with {old_kid} "
                f"{NEW_KEY_TIMEOUT_SECONDS:.0f}s after `keys rotate` "
                f"(key_refresh_interval is {KEY_REFRESH_INTERVAL_SECONDS}s)"
            )
        time.sleep(NEW_KEY_POLL_SECONDS)


def _assert_one_line_error(result, *mentions: str) -> None:
    """A failed CLI command: non-zero exit, nothing on stdout, one line on stderr."""
    context = (result.args, result.returncode, result.stdout, result.stderr)
    assert result.returncode != 0, context
    assert result.stdout == "", context
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, context
    for mention in mentions:
        assert mention in lines[0], context


@pytest.mark.gatehouse_env(GATEHOUSE_KEY_REFRESH_INTERVAL=str(KEY_REFRESH_INTERVAL_SECONDS))
def test_jwt_verifies_against_jwks_before_and_after_key_rotation(gatehouse):
    client = _create_jwt_client(gatehouse)

    response = _token_response(gatehouse, client)
    before = response["access_token"]
    jwks = _fetch_jwks(gatehouse)
    decoded = _verify(gatehouse, before, jwks, client)
    assert decoded.claims["scope"] == response["scope"] == SCOPE
    old_kid = decoded.header["kid"]
    assert old_kid == _signing_key(gatehouse)
    _assert_bad_signature(before, jwks)

    gatehouse.cli("keys", "rotate")
    # A new key is published at once but signs only after two refresh
    # intervals, so that every verifier can have fetched it first.
    listing = json.loads(gatehouse.cli("keys", "list", "--json"))
    upcoming = [key["kid"] for key in listing if key["status"] == "next"]
    assert len(upcoming) == 1, listing
    new_kid = upcoming[0]
    assert new_kid != old_kid
    assert _signing_key(gatehouse) == old_kid

    after = _token_signed_with_another_key(gatehouse, client, old_kid)
    assert _unverified_kid(after) == new_kid
    assert _signing_key(gatehouse) == new_kid

    # Fetched anew, as a resource server does on meeting an unknown kid: it
    # must hold the new key, and still the old one, since `before` is valid.
    jwks = _fetch_jwks(gatehouse)
    assert {old_kid, new_kid} <= _kids(jwks)

    assert _verify(gatehouse, before, jwks, client).header["kid"] == old_kid
    assert _verify(gatehouse, after, jwks, client).header["kid"] == new_kid
    _assert_bad_signature(before, jwks)
    _assert_bad_signature(after, jwks)


@pytest.mark.gatehouse_env(**{KEY_ENCRYPTION_VARIABLE: KEY_ENCRYPTION_KEY})
def test_signing_keys_sealed_with_key_encryption_key(gatehouse):
    client = _create_jwt_client(gatehouse)

    token = _access_token(gatehouse, client)
    jwks = _fetch_jwks(gatehouse)
    kid = _verify(gatehouse, token, jwks, client).header["kid"]
    _assert_bad_signature(token, jwks)

    # Without the secret, or with another one, the stored keys cannot be
    # opened: the command must say so and stop, not carry on without them.
    for secret in (None, "not the key-encryption secret"):
        env = {KEY_ENCRYPTION_VARIABLE: secret}
        for command in (("keys", "list"), ("keys", "rotate")):
            _assert_one_line_error(
                gatehouse.run_cli(*command, env=env), KEY_ENCRYPTION_VARIABLE
            )

    # With it: the one key, which signed the token, and no key added above.
    listing = gatehouse.cli("keys", "list").strip().splitlines()
    assert len(listing) == 1, listing
    fields = listing[0].split()
    assert (fields[0], fields[-1]) == (kid, "signing"), listing
    assert _signing_key(gatehouse) == kid
