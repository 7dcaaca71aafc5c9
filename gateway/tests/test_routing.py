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


def test_operators_and_api_clients_are_routed():
    paths = {(r.method, r.openapi_path) for r in ROUTES}
    assert {("GET", "/api/v1/operators"), ("POST", "/api/v1/operators"),
            ("POST", "/api/v1/operators/grants/{grant_id}/revoke"),
            ("GET", "/api/v1/api-clients"), ("POST", "/api/v1/api-clients"),
            ("POST", "/api/v1/api-clients/{client_id}/rotate"),
            ("POST", "/api/v1/api-clients/{client_id}/revoke")} <= paths
    doc = build("http://127.0.0.1:8000")
    assert "IdentityCreateOperator" in doc["components"]["schemas"]


def test_the_gateway_refuses_a_role_before_calling_identity():
    import json
    from unittest.mock import Mock

    from gateway.service import GatewayService as Gateway

    identity = Mock()
    fake = SimpleNamespace(correlation_id="r-1", rpc_timeout=5, identity=identity,
                           authenticate=lambda request: {"person_id": "p", "roles": ["volunteer"],
                                                         "scope": "130102001001"})
    request = SimpleNamespace(get_data=lambda cache=True: b"{}", args={})
    response = Gateway.create_operator(fake, request)
    assert response.status_code == 403
    assert json.loads(response.get_data())["error"] == "role_required"
    identity.create_operator.assert_not_called()
