from types import SimpleNamespace

import pytest
from werkzeug.test import EnvironBuilder

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
    assert "security" not in login and "401" in login["responses"]  # a wrong password
    summary = doc["paths"]["/api/v1/accounts/{person_id}/summary"]["get"]
    assert "200" in summary["responses"]
    statement = doc["paths"]["/api/v1/accounts/{person_id}/statement"]["get"]
    assert "kind" in {p["name"] for p in statement.get("parameters", [])}


def test_the_demand_status_enum_includes_evaluated_in_answers_and_the_list_filter():
    doc = build("http://127.0.0.1:8000")
    schemas = doc["components"]["schemas"]
    assert "evaluated" in schemas["DemandOut"]["properties"]["status"]["enum"]
    assert "evaluated" in schemas["DemandEvaluationOut"]["properties"]["demand_status"]["enum"]
    listing = doc["paths"]["/api/v1/demands"]["get"]
    [status] = [p for p in listing["parameters"] if p["name"] == "status"]
    assert "evaluated" in status["schema"]["enum"] and "recorded" in status["schema"]["enum"]


def _spec(**kw):
    return RouteSpec("POST", "/api/v1/x/<region>", "x", ["t"], **kw)


def test_the_gateway_refuses_roles_and_regions_before_any_rpc():
    from gateway.routing import check_access
    from timebank_common.caller import Caller
    from timebank_common.errors import Forbidden

    township = Caller("p1", ("township_admin",), "130102001000").to_dict()
    volunteer = Caller("p2", ("volunteer",), "130102001001").to_dict()
    spec = _spec(roles=["township_admin", "station_operator"], scoped=["region_code"])
    check_access(spec, township, {"body": {"region_code": "130102001001"}})
    with pytest.raises(Forbidden) as refused:
        check_access(spec, volunteer, {"body": {"region_code": "130102001001"}})
    assert refused.value.code == "role_required"
    with pytest.raises(Forbidden) as refused:  # another township, in the body
        check_access(spec, township, {"body": {"region_code": "130102002001"}})
    assert refused.value.code == "out_of_scope"
    in_query = _spec(scoped=["region"])
    with pytest.raises(Forbidden):
        check_access(in_query, township, {"query": {"region": "130200000000"}})
    in_path = _spec(scoped=["region"])
    with pytest.raises(Forbidden):
        check_access(in_path, township, {"region": "130100000000"})
    check_access(in_path, township, {})  # no region given: the service decides


def test_routes_that_register_people_declare_roles_and_scope():
    routes = {(r.method, r.openapi_path): r for r in ROUTES}
    for key in [("POST", "/api/v1/elders"), ("POST", "/api/v1/volunteers"),
                ("POST", "/api/v1/carriers")]:
        assert routes[key].roles and routes[key].scoped == ["region_code"], key
    doc = build("http://127.0.0.1:8000")
    assert "region_code" in doc["paths"]["/api/v1/elders"]["post"]["description"]


def test_logout_and_password_change_are_documented_with_the_lockout_refusal():
    paths = build("http://127.0.0.1:8000")["paths"]
    logout, password = paths["/api/v1/auth/logout"]["post"], paths["/api/v1/auth/password"]["post"]
    assert logout["security"] == [{"bearer": []}] and password["security"] == [{"bearer": []}]
    assert "423" in password["responses"] and "423" in paths["/api/v1/auth/login"]["post"]["responses"]
    body = password["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("IdentityChangePassword")


def test_operators_and_api_clients_are_routed():
    paths = {(r.method, r.openapi_path) for r in ROUTES}
    assert {("GET", "/api/v1/operators"), ("POST", "/api/v1/operators"),
            ("POST", "/api/v1/operators/grants/{grant_id}/revoke"),
            ("GET", "/api/v1/api-clients"), ("POST", "/api/v1/api-clients"),
            ("POST", "/api/v1/api-clients/{client_id}/rotate"),
            ("POST", "/api/v1/api-clients/{client_id}/end-previous-secret"),
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
    request = EnvironBuilder(method="POST", path="/api/v1/operators", json={}).get_request()
    response = Gateway.create_operator(fake, request)
    assert response.status_code == 403
    assert json.loads(response.get_data())["error"] == "role_required"
    identity.create_operator.assert_not_called()


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


def test_withdrawal_is_routed_for_volunteers_with_a_reason():
    from gateway.routing import check_access
    from timebank_common.caller import Caller
    from timebank_common.errors import Forbidden

    routes = {(r.method, r.openapi_path): r for r in ROUTES}
    spec = routes[("POST", "/api/v1/demands/{demand_id}/withdraw")]
    assert spec.roles == ["volunteer"]
    document = build("http://localhost")
    operation = document["paths"]["/api/v1/demands/{demand_id}/withdraw"]["post"]
    assert "requestBody" in operation
    with pytest.raises(Forbidden):
        check_access(spec, Caller("p1", ("elder",), None).to_dict(), {})


def test_call_tasks_and_preferences_are_routed_and_documented():
    paths = {(r.method, r.openapi_path) for r in ROUTES}
    assert {("GET", "/api/v1/call-tasks"), ("POST", "/api/v1/call-tasks/{task_id}"),
            ("GET", "/api/v1/preferences"), ("PUT", "/api/v1/preferences"),
            ("GET", "/api/v1/templates"),
            ("PUT", "/api/v1/templates/{event_type}/{role}/{locale}")} <= paths
    doc = build("http://127.0.0.1:8000")
    put = doc["paths"]["/api/v1/preferences"]["put"]
    assert put["requestBody"]
    assert doc["paths"]["/api/v1/call-tasks/{task_id}"]["post"]["requestBody"]


def test_the_gateway_refuses_call_tasks_to_a_volunteer_before_calling_notify():
    import json
    from unittest.mock import Mock

    from gateway.service import GatewayService as Gateway

    notify = Mock()
    fake = SimpleNamespace(correlation_id="r-1", rpc_timeout=5, notify=notify,
                           authenticate=lambda request: {"person_id": "p", "roles": ["volunteer"],
                                                         "scope": "130102001001"})
    request = EnvironBuilder(method="GET", path="/api/v1/call-tasks").get_request()
    response = Gateway.call_tasks(fake, request)
    assert response.status_code == 403
    assert json.loads(response.get_data())["error"] == "role_required"
    notify.call_tasks.assert_not_called()


def test_the_change_feed_and_webhooks_are_for_municipal_systems_with_bounded_queries():
    doc = build("http://127.0.0.1:8000")
    changes = doc["paths"]["/api/v1/changes"]["get"]
    params = {p["name"]: p["schema"] for p in changes["parameters"]}
    assert (params["limit"]["minimum"], params["limit"]["maximum"]) == (1, 500)
    assert params["cursor"]["maxLength"] == 64
    assert "410" in changes["responses"]
    assert changes["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] \
        .endswith("NotifyChangePage")
    hooks = doc["paths"]["/api/v1/webhooks"]
    assert set(hooks) == {"get", "post"} and "201" in hooks["post"]["responses"]
    assert "delete" in doc["paths"]["/api/v1/webhooks/{webhook_id}"]
    routes = {(r.method, r.openapi_path): r for r in ROUTES}
    for key in [("GET", "/api/v1/changes"), ("GET", "/api/v1/webhooks"),
                ("POST", "/api/v1/webhooks"), ("DELETE", "/api/v1/webhooks/{webhook_id}")]:
        assert routes[key].roles == ["api_client"] and routes[key].response, key
    # municipal systems register elders (and volunteers when allowed: identity decides)
    assert "api_client" in routes[("POST", "/api/v1/elders")].roles
    assert "api_client" in routes[("POST", "/api/v1/volunteers")].roles
    assert routes[("PATCH", "/api/v1/api-clients/{client_id}")].response


def test_the_gateway_refuses_the_change_feed_to_a_person_before_calling_notify():
    import json
    from unittest.mock import Mock

    from gateway.service import GatewayService as Gateway

    notify = Mock()
    fake = SimpleNamespace(correlation_id="r-1", rpc_timeout=5, notify=notify,
                           authenticate=lambda request: {"person_id": "p", "roles": ["city_admin"],
                                                         "scope": "130100000000"})
    request = EnvironBuilder(method="GET", path="/api/v1/changes",
                             query_string={"limit": "501"}).get_request()
    response = Gateway.changes(fake, request)
    assert response.status_code == 403
    assert json.loads(response.get_data())["error"] == "role_required"
    notify.changes.assert_not_called()


@pytest.mark.parametrize("query", [{"limit": "501"}, {"limit": "0"}, {"cursor": "x" * 65}])
def test_the_change_feed_refuses_out_of_bounds_paging_before_calling_notify(query):
    import json
    from unittest.mock import Mock

    from gateway.service import GatewayService as Gateway

    notify = Mock()
    fake = SimpleNamespace(correlation_id="r-1", rpc_timeout=5, notify=notify,
                           authenticate=lambda request: {"client_id": "sjz", "roles": ["api_client"],
                                                         "scope": "130100000000"})
    request = EnvironBuilder(method="GET", path="/api/v1/changes",
                             query_string=dict(query)).get_request()
    response = Gateway.changes(fake, request)
    assert response.status_code == 400
    body = json.loads(response.get_data())
    assert body["error"] == "validation_failed" and body["message"]["zh"] and body["message"]["en"]
    notify.changes.assert_not_called()


def _bare_gateway_call(body: bytes, args=None, path_params=None):
    import json
    from unittest.mock import Mock

    from gateway.service import GatewayService as Gateway

    identity = Mock()
    fake = SimpleNamespace(correlation_id="r-2", rpc_timeout=5, identity=identity,
                           authenticate=lambda request: {"person_id": "p", "roles": ["province_admin"],
                                                         "scope": "130000000000"})
    request = EnvironBuilder(method="POST", path="/api/v1/operators", data=body,
                             content_type="application/json", query_string=args or {}).get_request()
    response = Gateway.create_operator(fake, request, **(path_params or {}))
    return response.status_code, json.loads(response.get_data()), identity


@pytest.mark.parametrize("raw, problem", [
    (b'{"name": "\\u5f20\\u0000"}', "nul"),
    (b'{"name": "\\ud800x"}', "lone_surrogate"),
    (b'{"name": "a\\u0007b"}', "control_character"),
    (b'{"name": "a\\u0085b"}', "control_character"),
    (b'{"nested": [{"\\u0000key": 1}]}', "nul"),
])
def test_the_gateway_refuses_characters_no_service_can_store_in_any_body(raw, problem):
    status, body, identity = _bare_gateway_call(raw)
    assert status == 400
    assert body["error"] == "invalid_characters"
    assert body["details"]["problem"] == problem
    assert body["message"]["zh"] and body["message"]["en"]
    identity.create_operator.assert_not_called()


def test_the_gateway_refuses_a_nul_in_a_query_string():
    status, body, _ = _bare_gateway_call(b"{}", args={"q": "x\x00"})
    assert (status, body["error"], body["details"]["field"]) == (400, "invalid_characters", "q[0]")


def test_free_text_keeps_tabs_and_line_breaks_at_the_edge():
    from gateway.routing import refuse_unstorable_text

    refuse_unstorable_text({"note": "第一行\r\n第二行\t完", "name": "王秀英"})  # no refusal


def test_a_request_the_broker_did_not_take_is_a_503_to_retry_not_a_500():
    """The chaos run: a broker node died while the gateway published an RPC request, kombu's
    failover round ran out, and the client got a 500; retried, the request goes through."""
    from kombu.exceptions import OperationalError

    from gateway.routing import route

    @route("GET", "/api/v1/test-broker-down", summary="x", tags=["t"], public=True)
    def down(self, request, caller):
        raise OperationalError("[Errno 111] Connection refused")

    try:
        gateway = SimpleNamespace(correlation_id="r-1", config={}, rpc_timeout=5)
        resp = down(gateway, EnvironBuilder(path="/api/v1/test-broker-down").get_request())
    finally:
        ROUTES.pop()  # registered for this test only
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "5"
    assert resp.get_json()["error"] == "service_unavailable"


def test_a_one_time_password_login_may_only_change_its_password_and_log_out():
    """A token with ``pwd_change`` (identity's bootstrap admin): 403 password_change_required
    before any RPC on every route but the password change and logout."""
    import json
    from unittest.mock import Mock

    from gateway.service import GatewayService as Gateway

    open_routes = {(r.method, r.openapi_path) for r in ROUTES if r.password_change_ok}
    assert open_routes == {("POST", "/api/v1/auth/password"), ("POST", "/api/v1/auth/logout"),
                           ("POST", "/api/v1/auth/session/logout")}
    identity = Mock()
    identity.change_password.return_value = {"password_changed": True,
                                             "refresh_tokens_revoked": 1}
    identity.logout.return_value = {"logged_out": True, "session_id": None}
    caller = {"person_id": "p", "roles": ["province_admin"], "scope": "130000000000",
              "password_change_required": True}
    fake = SimpleNamespace(correlation_id="r-1", rpc_timeout=5, identity=identity,
                           authenticate=lambda request: caller)
    me = Gateway.me(fake, EnvironBuilder(method="GET", path="/api/v1/me").get_request())
    assert me.status_code == 403
    body = json.loads(me.get_data())
    assert body["error"] == "password_change_required"
    assert body["message"]["zh"].startswith("请先修改") and "one-time password" in body["message"]["en"]
    identity.me.assert_not_called()
    operators = Gateway.create_operator(fake, EnvironBuilder(
        method="POST", path="/api/v1/operators", json={}).get_request())
    assert operators.status_code == 403
    assert json.loads(operators.get_data())["error"] == "password_change_required"
    changed = Gateway.change_password(fake, EnvironBuilder(
        method="POST", path="/api/v1/auth/password",
        json={"current_password": "Xy7#one-time-pass", "new_password": "Mine@2026-safe"}
    ).get_request())
    assert changed.status_code == 200, changed.get_data()
    identity.change_password.assert_called_once()
    out = Gateway.logout(fake, EnvironBuilder(method="POST", path="/api/v1/auth/logout",
                                              json={}).get_request())
    assert out.status_code == 200, out.get_data()
