"""The gateway's HTTP edge (issue 15): media type, size and depth of bodies, JSON 404/405,
null details, problem+json, answers checked against their schemas, UUID path parameters."""
from __future__ import annotations

import io
import json
import logging
from types import SimpleNamespace
from unittest.mock import Mock

import pytest
from nameko.exceptions import deserialize, serialize
from werkzeug.routing import Rule
from werkzeug.test import Client, EnvironBuilder
from werkzeug.wrappers import Request, Response

from gateway import answers, request_body
from gateway.dispatch import GatewayWsgiApp
from gateway.problems import PROBLEM_JSON, error_body, error_response
from gateway.routing import (
    ROUTES,
    STRING_PARAMETERS,
    UUID_PARAMETERS,
    RouteSpec,
    with_uuid_converters,
)
from gateway.service import GatewayService
from timebank_common import remote
from timebank_common.errors import BadInput, DomainError, Locked

DEMAND = "1a2b3c4d-0000-4000-8000-000000000001"


def _request(body: bytes = b"", content_type: str | None = "application/json", **kw) -> Request:
    headers = kw.pop("headers", {})
    builder = EnvironBuilder(method="POST", path="/api/v1/x", data=body, headers=headers,
                             content_type=content_type, **kw)
    return builder.get_request()


# --- 1. media type -------------------------------------------------------------------------

@pytest.mark.parametrize("content_type", ["text/plain", "application/xml",
                                          "application/x-www-form-urlencoded", None])
def test_a_body_that_is_not_json_is_415(content_type):
    with pytest.raises(request_body.UnsupportedMediaType) as refused:
        request_body.read_json_object(_request(b'{"a": 1}', content_type))
    assert refused.value.status == 415 and refused.value.code == "unsupported_media_type"


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "application/merge-patch+json", "Application/JSON"])
def test_json_media_types_are_read(content_type):
    assert request_body.read_json_object(_request(b'{"a": 1}', content_type)) == {"a": 1}


def test_a_request_without_a_body_needs_no_type():
    assert request_body.read_json_object(_request(b"", None)) == {}


# --- 2. size -------------------------------------------------------------------------------

class _Unreadable(io.RawIOBase):
    def read(self, *args):  # pragma: no cover - reaching it fails the test
        raise AssertionError("the body was read")


def test_a_body_larger_than_the_limit_is_413_without_reading_it():
    environ = EnvironBuilder(method="POST", path="/api/v1/x",
                             content_type="application/json").get_environ()
    environ["CONTENT_LENGTH"] = "2000"
    environ["wsgi.input"] = _Unreadable()
    with pytest.raises(request_body.BodyTooLarge) as refused:
        request_body.read_json_object(Request(environ), max_bytes=1000)
    assert refused.value.status == 413 and refused.value.code == "body_too_large"
    assert refused.value.details == {"max_bytes": 1000}


def test_a_chunked_body_is_read_no_further_than_the_limit():
    source = io.BytesIO(b"[" * 10_000)
    environ = EnvironBuilder(method="POST", path="/api/v1/x", content_type="application/json",
                             headers={"Transfer-Encoding": "chunked"}).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = source
    with pytest.raises(request_body.BodyTooLarge):
        request_body.read_json_object(Request(environ), max_bytes=1000)
    assert source.tell() == 1001


def test_a_chunked_body_within_the_limit_is_read():
    environ = EnvironBuilder(method="POST", path="/api/v1/x", content_type="application/json",
                             headers={"Transfer-Encoding": "chunked"}).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = io.BytesIO(b'{"a": [1, 2]}')
    assert request_body.read_json_object(Request(environ)) == {"a": [1, 2]}


# --- 3. depth ------------------------------------------------------------------------------

def test_deep_nesting_is_400_body_too_deep_not_a_recursion_error():
    deep = b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(BadInput) as refused:
        request_body.read_json_object(_request(deep))
    assert refused.value.code == "body_too_deep"


def test_nesting_up_to_the_limit_is_accepted_and_brackets_in_strings_do_not_count():
    body = b'{"a": ' + b"[" * 31 + b"1" + b"]" * 31 + b', "s": "[[[[{{{{\\"[[["}'
    assert request_body.json_depth(body) == 32
    assert request_body.read_json_object(_request(body))["s"] == '[[[[{{{{"[[['
    assert request_body.json_depth(b'{"a": ' + b"[" * 32 + b"]" * 32 + b"}") == 33


@pytest.mark.parametrize("raw,code", [(b"{nope", "malformed_json"), (b"[1]", "body_not_object")])
def test_malformed_or_non_object_bodies_are_400(raw, code):
    with pytest.raises(BadInput) as refused:
        request_body.read_json_object(_request(raw))
    assert refused.value.code == code


# --- 4. unknown paths and methods ----------------------------------------------------------

class _Provider:
    def __init__(self, method: str, url: str, name: str):
        self.method, self.url, self.name = method, url, name

    def get_url_rule(self):
        return Rule(self.url, methods=[self.method])

    def handle_request(self, request):
        return Response(json.dumps({"route": self.name, **request.path_values}, default=str),
                        mimetype="application/json")


def _client() -> Client:
    providers = [_Provider("GET", "/", "index"), _Provider("GET", "/<console:path>", "console"),
                 _Provider("GET", "/docs/<string:asset>", "asset"),
                 _Provider("GET", with_uuid_converters("/api/v1/demands/<demand_id>"), "demand"),
                 _Provider("POST", with_uuid_converters("/api/v1/demands/<demand_id>/review"),
                           "review")]
    return Client(GatewayWsgiApp(SimpleNamespace(_providers=providers)))


@pytest.mark.parametrize("method,path", [("GET", "/api/v1/nope"), ("POST", "/api/v1/nope"),
                                         ("GET", "/api"), ("GET", "/docs/a/b"),
                                         ("POST", "/api/v1/demands/not-a-uuid/review"),
                                         ("GET", "/api/v1/demands/42")])
def test_unknown_paths_are_json_404(method, path):
    response = _client().open(path, method=method)
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == "not_found" and body["details"] is None and body["request_id"]
    assert body["message"]["zh"] and body["message"]["en"]


def test_a_method_the_path_does_not_take_is_json_405_with_allow():
    response = _client().get(f"/api/v1/demands/{DEMAND}/review")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert response.get_json()["error"] == "method_not_allowed"
    assert _client().post("/volunteers/1").status_code == 405  # console paths take GET only


def test_the_console_still_serves_its_client_routes_and_uuid_ids_reach_their_route():
    assert _client().get("/demands/42/evaluate").get_json() == {"route": "console",
                                                                "path": "demands/42/evaluate"}
    assert _client().get(f"/api/v1/demands/{DEMAND.upper()}").get_json()["route"] == "demand"


# --- 5. details ----------------------------------------------------------------------------

def test_details_are_null_not_the_string_none_after_crossing_rpc():
    remote.register_errors()
    for error in (BadInput("x", "中", "en"), BadInput("x", "中", "en", {}),
                  Locked("account_locked", "中", "en", {"retry_after_seconds": 30, "ok": True})):
        received = deserialize(json.loads(json.dumps(serialize(error))))
        assert type(received) is type(error)
        assert received.to_body() == error.to_body()
    assert BadInput("x", "中", "en").to_body()["details"] is None
    assert received.details == {"retry_after_seconds": 30, "ok": True}


# --- 6. problem+json -----------------------------------------------------------------------

def test_errors_are_problem_details_when_the_client_prefers_them():
    body = error_body("not_found", "没有", "No such thing", None, "r-1")
    request = EnvironBuilder(path="/api/v1/demands/x",
                             headers={"Accept": PROBLEM_JSON}).get_request()
    response = error_response(request, body, 404)
    assert response.mimetype == PROBLEM_JSON
    problem = response.get_json()
    assert problem["type"] == "urn:timebank:error:not_found" and problem["title"] == "Not Found"
    assert problem["status"] == 404 and problem["instance"] == "/api/v1/demands/x"
    assert problem["detail"] == "没有 / No such thing"
    assert problem["error"] == "not_found" and problem["request_id"] == "r-1"
    assert problem["message"] == {"zh": "没有", "en": "No such thing"} and problem["details"] is None


@pytest.mark.parametrize("accept", [None, "*/*", "application/json",
                                    "application/json, application/problem+json;q=0.5",
                                    "application/problem+json, application/json"])
def test_errors_stay_plain_json_otherwise(accept):
    headers = {"Accept": accept} if accept else {}
    request = EnvironBuilder(path="/x", headers=headers).get_request()
    response = error_response(request, error_body("x", "中", "en"), 400)
    assert response.mimetype == "application/json" and "type" not in response.get_json()


def test_a_routes_domain_error_is_served_as_problem_json_when_asked():
    fake = SimpleNamespace(correlation_id="r-9", rpc_timeout=5, identity=Mock(), config={},
                           authenticate=lambda request: {"person_id": "p", "roles": ["volunteer"],
                                                         "scope": "130102001001"})
    request = EnvironBuilder(method="POST", path="/api/v1/operators", json={},
                             headers={"Accept": PROBLEM_JSON}).get_request()
    response = GatewayService.create_operator(fake, request)
    assert response.status_code == 403 and response.mimetype == PROBLEM_JSON
    assert response.get_json()["error"] == "role_required"
    assert response.headers["X-Request-Id"] == "r-9"


# --- 7. answers through their schemas ------------------------------------------------------

def _me_route() -> RouteSpec:
    [spec] = [r for r in ROUTES if (r.method, r.openapi_path) == ("GET", "/api/v1/me")]
    return spec


def _fake_gateway(answer, strict: bool):
    identity = Mock()
    identity.me.return_value = answer
    return SimpleNamespace(correlation_id="r-2", rpc_timeout=5, identity=identity,
                           config={"STRICT_RESPONSES": strict},
                           authenticate=lambda request: {"person_id": "p", "roles": ["volunteer"],
                                                         "scope": "130102001001"})


def test_a_strict_gateway_answers_500_for_an_answer_that_breaks_its_schema(caplog):
    request = EnvironBuilder(path="/api/v1/me").get_request()
    bad = {"person_id": "p", "roles": "volunteer", "secret_field": "VALUE-NOT-LOGGED"}
    with caplog.at_level(logging.ERROR):
        response = GatewayService.me(_fake_gateway(bad, True), request)
    assert response.status_code == 500
    body = response.get_json()
    assert body["error"] == "response_contract_violation"
    assert set(body["details"]["fields"]) >= {"secret_field", "roles"}
    assert "secret_field" in caplog.text and "VALUE-NOT-LOGGED" not in caplog.text


def test_outside_strict_mode_the_answer_goes_out_logged_once_and_counted(caplog):
    request = EnvironBuilder(path="/api/v1/me").get_request()
    bad = {"person_id": "p", "unexpected": 1}
    name = answers.route_name(_me_route())
    answers._reported.discard(name)
    counter = answers.RESPONSE_CONTRACT_VIOLATIONS.labels(route=name)
    before = counter._value.get()
    with caplog.at_level(logging.ERROR):
        for _ in range(3):
            response = GatewayService.me(_fake_gateway(bad, False), request)
            assert response.status_code == 200 and response.get_json() == bad
    assert counter._value.get() == before + 3
    assert caplog.text.count("response contract violation") == 1


def test_lists_are_checked_item_by_item():
    spec = RouteSpec("GET", "/x", "x", ["t"], response=_me_route().response, many=True)
    assert answers.violations(spec, [{"person_id": "p"}]) is None
    assert 1 in answers.violations(spec, [{"person_id": "p"}, {"nope": 1}])



def test_a_demand_whose_volunteer_has_not_checked_in_meets_its_schema():
    """Found by the strict e2e run: an assignment's check-in and check-out are null until they
    happen, and the schema refused null."""
    [spec] = [r for r in ROUTES if (r.method, r.openapi_path) == ("GET", "/api/v1/demands/{demand_id}")]
    assignment = {"assignment_id": DEMAND, "volunteer_id": DEMAND, "status": "assigned",
                  "assigned_at": "2026-12-01T08:00:00+08:00", "checked_in_at": None,
                  "assigned_by": DEMAND, "check_in_location": None, "checked_out_at": None,
                  "check_out_location": None}
    assignments = spec.response().fields["assignments"].inner.schema  # the route's own
    assert assignments.validate(assignment, partial=True) == {}  # nulls allowed where unset


def test_every_json_route_declares_its_response_schema():
    """Every JSON answer is checked against its route's schema (strict in the tests): a route
    without one would go unchecked and leave the console's types guessing."""
    lacking = {answers.route_name(r) for r in ROUTES
               if r.response is None and r.content_type == "application/json"}
    assert lacking == set(), "these routes need a response schema"


# --- 8. UUID path parameters ---------------------------------------------------------------

def test_every_path_parameter_is_classified_as_uuid_or_not():
    for route in ROUTES:
        for name in route.path_params:
            assert name in UUID_PARAMETERS | STRING_PARAMETERS, f"{route.path}: classify {name}"
    assert not UUID_PARAMETERS & STRING_PARAMETERS


def test_uuid_parameters_are_declared_once_and_converted():
    assert with_uuid_converters("/api/v1/demands/<demand_id>/record") == \
        "/api/v1/demands/<uuid:demand_id>/record"
    assert with_uuid_converters("/api/v1/certificates/<number>") == "/api/v1/certificates/<number>"
    review = next(r for r in ROUTES if r.openapi_path == "/api/v1/demands/{demand_id}/review")
    assert review.path == "/api/v1/demands/<uuid:demand_id>/review"


def test_a_route_receives_uuid_path_values_as_strings():
    from uuid import UUID

    ledger = Mock()
    ledger.balance.return_value = {"person_id": DEMAND}
    fake = SimpleNamespace(correlation_id="r", rpc_timeout=5, ledger=ledger, config={},
                           authenticate=lambda request: {"person_id": DEMAND, "roles": ["volunteer"],
                                                         "scope": "130102001001"})
    request = EnvironBuilder(path=f"/api/v1/accounts/{DEMAND}").get_request()
    GatewayService.account_balance(fake, request, person_id=UUID(DEMAND))
    assert DEMAND in [a for a in ledger.balance.call_args.args if isinstance(a, str)]


def test_domain_errors_still_round_trip_with_their_args():
    error = DomainError("c", "中", "en", {"k": [1, None]})
    assert DomainError(*error.args).details == {"k": [1, None]}


# --- 8. the document -----------------------------------------------------------------------

def _document() -> dict:
    from gateway.openapi import build

    return build("http://127.0.0.1:8000")


def test_the_openapi_document_is_valid_openapi():
    from openapi_spec_validator import validate

    validate(_document())


def test_the_document_declares_the_edge_refusals():
    paths = _document()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "429" in responses, (method, path)
            assert "application/problem+json" in responses["400"]["content"]
            takes_body = "requestBody" in operation
            assert ("413" in responses and "415" in responses) == takes_body, (method, path)
    for path in ("/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/token",
                 "/api/v1/auth/session", "/api/v1/auth/session/refresh"):
        assert "401" in paths[path]["post"]["responses"], path
    assert "401" not in paths["/api/v1/certificates/{number}/verify"]["get"]["responses"]


def test_uuid_path_parameters_are_declared_as_uuids_and_others_as_strings():
    paths = _document()["paths"]
    [demand] = paths["/api/v1/demands/{demand_id}/review"]["post"]["parameters"][:1]
    assert demand["schema"] == {"type": "string", "format": "uuid"}
    number = paths["/api/v1/certificates/{number}"]["get"]["parameters"][0]
    assert number["schema"] == {"type": "string"}
