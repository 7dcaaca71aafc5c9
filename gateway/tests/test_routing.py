from types import SimpleNamespace

import pytest

from gateway.openapi import build
from gateway.routing import ROUTES, RouteSpec, bearer_token
from gateway.service import GatewayService  # noqa: F401  (registers every route)
from timebank_common.errors import Unauthenticated


def test_path_parameters_become_openapi_templates():
    spec = RouteSpec("POST", "/api/v1/demands/<demand_id>/record", "x", ["t"])
    assert spec.openapi_path == "/api/v1/demands/{demand_id}/record"
    assert spec.path_params == ["demand_id"]


def test_bearer_token_is_required():
    with pytest.raises(Unauthenticated):
        bearer_token(SimpleNamespace(headers={}))
    with pytest.raises(Unauthenticated):
        bearer_token(SimpleNamespace(headers={"Authorization": "Basic abc"}))
    assert bearer_token(SimpleNamespace(headers={"Authorization": "Bearer abc.def"})) == "abc.def"


def test_every_design_resource_of_the_first_path_is_routed():
    paths = {(r.method, r.openapi_path) for r in ROUTES}
    for expected in [
        ("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/refresh"), ("POST", "/api/v1/auth/token"),
        ("GET", "/api/v1/me"), ("POST", "/api/v1/elders"), ("POST", "/api/v1/volunteers"),
        ("POST", "/api/v1/demands"), ("POST", "/api/v1/demands/{demand_id}/review"),
        ("POST", "/api/v1/demands/{demand_id}/claim"), ("POST", "/api/v1/demands/{demand_id}/check-in"),
        ("POST", "/api/v1/demands/{demand_id}/check-out"), ("POST", "/api/v1/demands/{demand_id}/record"),
        ("GET", "/api/v1/accounts/{person_id}"), ("GET", "/api/v1/accounts/{person_id}/statement"),
        ("GET", "/api/v1/inbox"), ("POST", "/api/v1/inbox/{message_id}/read"),
    ]:
        assert expected in paths


def test_openapi_document_uses_the_services_schemas_and_declares_errors():
    doc = build("http://127.0.0.1:8000")
    schemas = doc["components"]["schemas"]
    assert "DemandSubmit" in schemas and "IdentityRegisterElder" in schemas
    assert "elder_id" in schemas["DemandSubmit"]["required"]
    record = doc["paths"]["/api/v1/demands/{demand_id}/record"]["post"]
    assert record["security"] == [{"bearer": []}]
    assert set(record["responses"]) >= {"201", "400", "401", "403", "404", "409", "422"}
    login = doc["paths"]["/api/v1/auth/login"]["post"]
    assert "security" not in login and "401" not in login["responses"]


def test_certificates_are_in_the_openapi_document_and_verification_is_public():
    doc = build("http://127.0.0.1:8000")
    issue = doc["paths"]["/api/v1/certificates"]["post"]
    assert issue["security"] == [{"bearer": []}]
    assert "LedgerIssueCertificate" in str(issue["requestBody"])
    pdf = doc["paths"]["/api/v1/certificates/{number}"]["get"]
    assert pdf["responses"]["200"]["content"] == {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}}
    verify = doc["paths"]["/api/v1/certificates/{number}/verify"]["get"]
    assert "security" not in verify and "401" not in verify["responses"]
    assert "LedgerCertificateVerification" in str(verify["responses"]["200"])
