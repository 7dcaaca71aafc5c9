"""GET /api/v1/reports/national/exports: declared with reporting's schemas, refused before any
RPC when the role or the scope is wrong, and passed on as reporting reads it."""
import json
from types import SimpleNamespace
from unittest.mock import Mock

import pytest
from werkzeug.test import EnvironBuilder

from gateway.openapi import build
from gateway.service import GatewayService as Gateway

CITY_ADMIN = {"person_id": "p", "roles": ["city_admin"], "scope": "130100000000"}
PATH = "/api/v1/reports/national/exports"
ANSWER = {"items": [{"id": "job-1", "region_code": "130100000000", "from": "2026-11-01",
                     "to": "2026-11-30", "full": False,
                     "created_at": "2026-12-01T02:00:00+00:00", "rows": 12,
                     "corrections": 2, "minutes": 690}]}


def call(query, caller=CITY_ADMIN, answer=ANSWER):
    reporting = Mock()
    reporting.national_exports.return_value = answer
    fake = SimpleNamespace(correlation_id="r-1", rpc_timeout=5, reporting=reporting,
                           config={"STRICT_RESPONSES": True},
                           authenticate=lambda request: caller)
    request = EnvironBuilder(method="GET", path=PATH, query_string=query).get_request()
    response = Gateway.report_national_exports(fake, request)
    return response.status_code, json.loads(response.get_data()), reporting.national_exports


def test_the_exports_of_a_region_are_asked_of_reporting():
    status, body, asked = call({"region_code": "130100000000"})
    assert status == 200 and body == ANSWER
    assert asked.call_args.args[1] == {"region_code": "130100000000"}


@pytest.mark.parametrize("query, caller, status, error", [
    ({"region_code": "130200000000"}, CITY_ADMIN, 403, "out_of_scope"),
    ({"region_code": "1301"}, CITY_ADMIN, 400, "validation_failed"),
    ({}, CITY_ADMIN, 400, "validation_failed"),
    ({"region_code": "130102001001"},
     {"person_id": "v", "roles": ["volunteer"], "scope": "130102001001"}, 403, "role_required"),
])
def test_a_caller_out_of_role_or_scope_or_a_bad_region_is_refused_before_reporting(
        query, caller, status, error):
    code, body, asked = call(query, caller)
    assert (code, body["error"]) == (status, error)
    assert body["message"]["zh"] and body["message"]["en"]
    asked.assert_not_called()


def test_the_route_declares_its_answer_in_the_openapi_document():
    doc = build("http://127.0.0.1:8000")
    operation = doc["paths"][PATH]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"region_code"}
    assert "200" in operation["responses"]
