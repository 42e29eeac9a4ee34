"""docs/openapi.yaml is a valid OpenAPI 3.1 document, checked by a validator nobody here wrote."""

from pathlib import Path

import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


def test_openapi_document_validates():
    spec, _ = read_from_filename(str(OPENAPI))
    validate(spec)
    assert spec["openapi"].startswith("3.1")


def test_every_endpoint_of_the_spec_is_described():
    paths = yaml.safe_load(OPENAPI.read_text())["paths"]
    for path in [
        "/.well-known/oauth-authorization-server", "/oauth2/authorize", "/oauth2/token",
        "/oauth2/token/revoke", "/oauth2/introspect", "/oauth2/jwks", "/api/me",
        "/docs/errors", "/healthz", "/readyz",
    ]:
        assert path in paths, path
