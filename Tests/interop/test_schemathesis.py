"""Property-based testing of the token, revocation and introspection endpoints with
schemathesis against docs/openapi.yaml: no generated request may get a server error, a status the
document does not list, or a body or content type that breaks the documented schema."""

import json
import subprocess
import sys
from pathlib import Path

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


def test_no_server_error_and_no_schema_violation(gatehouse, tmp_path):
    client = json.loads(
        gatehouse.cli(
            "clients", "create", "--name", "fuzzed", "--grant-type", "client_credentials",
            "--scope", "read write", "--json",
        )
    )
    result = subprocess.run(
        [
            sys.executable, "-m", "schemathesis.cli", "run", str(OPENAPI),
            "--url", gatehouse.base_url,
            "--include-path-regex", "^/oauth2/(token|token/revoke|introspect)$",
            "--auth", f"{client['client_id']}:{client['client_secret']}",
            "--max-examples", "50",
            "--seed", "20261122",
            "--checks", "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
        ],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
