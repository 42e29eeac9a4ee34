"""A real MCP client authorizes itself against Gatehouse with nothing but the server's 401.

The client is the `mcp` package's own OAuth client (PyPI), used as its
documentation shows: it meets the example MCP server's 401, follows
`resource_metadata` to the protected resource metadata (RFC 9728), discovers
Gatehouse (RFC 8414), registers itself (RFC 7591), runs the code flow with PKCE
and `resource` (RFC 8707), and calls a tool with the token. If it needs any
tweak to talk to Gatehouse, that is a bug in Gatehouse. The user's part (sign
in, allow) is played by a plain `requests.Session` submitting the forms.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx2
import pytest
import requests
from mcp.client.auth import OAuthClientProvider
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)

from conftest import _free_loopback_port, _run_gatehouse
from example_apps import start_example
from forms import sign_in_and_allow

# Nothing listens here: the browser part reads the redirect's Location instead.
REDIRECT_URI = "http://127.0.0.1:9000/callback"
USERNAME = "alice"
PASSWORD = "correct horse battery staple"


class MemoryStorage:
    """The client's token storage, kept for the test's lifetime only."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


@pytest.fixture
def mcp_setup(gatehouse_binary: Path, tmp_path: Path):
    """Gatehouse with open registration and the MCP server as a resource, and the MCP server."""
    mcp_binary = gatehouse_binary.parent / "gatehouse-example-mcp"
    assert mcp_binary.is_file(), f"no {mcp_binary}: run swift build first"
    port = _free_loopback_port()
    mcp_url = f"http://127.0.0.1:{port}/mcp"
    servers = _run_gatehouse(
        gatehouse_binary,
        tmp_path,
        env={"GATEHOUSE_REGISTRATION": "open", "GATEHOUSE_RESOURCES": mcp_url},
    )
    gatehouse = next(servers)
    process = None
    try:
        gatehouse.create_user(USERNAME, PASSWORD)
        # The MCP server asks Gatehouse about each token (RFC 7662) with a client of its own.
        introspector = gatehouse.create_client(
            "mcp-server", "https://mcp.example/unused", "tools",
            "--can-introspect", "--grant-type", "client_credentials",
        )
        process = start_example(mcp_binary, port, gatehouse.issuer, introspector, tmp_path / "mcp.log")
        yield gatehouse, mcp_url, introspector
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)
        servers.close()


def test_mcp_client_discovers_registers_authorizes_and_calls_a_tool(mcp_setup):
    gatehouse, mcp_url, introspector = mcp_setup
    redirects: list[str] = []

    async def redirect_handler(authorization_url: str) -> None:
        query = parse_qs(urlsplit(authorization_url).query)
        # RFC 8707: the client names the MCP server as the token's audience.
        assert query["resource"] == [mcp_url]
        assert query["code_challenge_method"] == ["S256"]
        location = await anyio.to_thread.run_sync(
            sign_in_and_allow, authorization_url, USERNAME, PASSWORD, REDIRECT_URI
        )
        redirects.append(location)

    async def callback_handler() -> AuthorizationCodeResult:
        params = parse_qs(urlsplit(redirects[-1]).query)
        return AuthorizationCodeResult(code=params["code"][0], state=params["state"][0], iss=params["iss"][0])

    storage = MemoryStorage()
    provider = OAuthClientProvider(
        server_url=mcp_url,
        client_metadata=OAuthClientMetadata(
            client_name="mcp interop test",
            redirect_uris=[REDIRECT_URI],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="client_secret_post",
        ),
        storage=storage,
        redirect_handler=redirect_handler,
        callback_handler=callback_handler,
    )

    async def session() -> str:
        async with httpx2.AsyncClient(auth=provider, timeout=30) as http:
            async with streamable_http_client(mcp_url, http_client=http) as (read, write):
                async with ClientSession(read, write) as mcp:
                    await mcp.initialize()
                    tools = await mcp.list_tools()
                    assert [tool.name for tool in tools.tools] == ["whoami"]
                    result = await mcp.call_tool("whoami", {})
                    assert not result.is_error
                    return result.content[0].text

    text = anyio.run(session)

    assert f"username={USERNAME}" in text
    assert len(redirects) == 1
    # The client registered itself dynamically and the token was issued for the MCP server.
    assert storage.client_info is not None and storage.client_info.client_id
    assert storage.tokens is not None
    introspection = requests.post(
        gatehouse.url("/oauth2/introspect"),
        data={"token": storage.tokens.access_token},
        auth=(introspector["client_id"], introspector["client_secret"]),
        timeout=10,
    ).json()
    assert introspection["active"] is True
    assert introspection["client_id"] == storage.client_info.client_id
    assert mcp_url in introspection["aud"]


def test_mcp_server_refuses_a_token_for_another_audience(mcp_setup):
    gatehouse, mcp_url, introspector = mcp_setup
    # Requested without `resource`, the token's audience is Gatehouse's default, not the MCP server.
    token = requests.post(
        gatehouse.token_url,
        data={"grant_type": "client_credentials", "scope": "tools"},
        auth=(introspector["client_id"], introspector["client_secret"]),
        timeout=10,
    ).json()["access_token"]

    answer = requests.post(
        mcp_url,
        json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json, text/event-stream"},
        timeout=10,
    )

    assert answer.status_code == 401
    challenge = answer.headers["WWW-Authenticate"]
    assert 'error="invalid_token"' in challenge
    assert 'resource_metadata="http://127.0.0.1:' in challenge
