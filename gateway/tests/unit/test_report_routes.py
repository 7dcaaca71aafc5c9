"""/api/v1/reports/series and /breakdown: declared with reporting's schemas, refused before any
RPC when the role, the scope or the bounds are wrong, and passed on as reporting reads them."""
import json
from types import SimpleNamespace
from unittest.mock import Mock

import pytest
from werkzeug.test import EnvironBuilder

from gateway.openapi import build
from gateway.routing import ROUTES
from gateway.service import GatewayService as Gateway

CITY_ADMIN = {"person_id": "p", "roles": ["city_admin"], "scope": "130100000000"}


def call(method, query, caller=CITY_ADMIN, answer=None):
    reporting = Mock()
    getattr(reporting, method).return_value = answer
    fake = SimpleNamespace(correlation_id="r-1", rpc_timeout=5, reporting=reporting,
                           config={"STRICT_RESPONSES": True},
                           authenticate=lambda request: caller)
    path = "/api/v1/reports/" + method
    request = EnvironBuilder(method="GET", path=path, query_string=query).get_request()
    route = {"series": Gateway.report_series, "breakdown": Gateway.report_breakdown}[method]
    response = route(fake, request)
    return response.status_code, json.loads(response.get_data()), getattr(reporting, method)


SERIES = {"region_code": "130100000000", "period": "quarter", "from": "2026-01-01",
          "to": "2026-12-31", "measures": "services_recorded,active_volunteers"}


def test_a_series_is_asked_of_reporting_as_its_rpc_reads_it():
    answer = {"region_code": "130100000000", "period": "quarter",
              "measures": ["services_recorded", "active_volunteers"],
              "rows": [{"period": "2026-Q1", "start": "2026-01-01", "end": "2026-03-31",
                        "values": {"services_recorded": 3, "active_volunteers": 2}}],
              "as_of": "2026-12-01T00:00:00+00:00", "lag_seconds": 1.5}
    status, body, asked = call("series", SERIES, answer=answer)
    assert status == 200 and body == answer
    caller, query = asked.call_args.args
    assert query == {"region_code": "130100000000", "period": "quarter", "from": "2026-01-01",
                     "to": "2026-12-31", "measures": ["services_recorded", "active_volunteers"]}


@pytest.mark.parametrize("change, status, error", [
    ({"region_code": "130200000000"}, 403, "out_of_scope"),
    ({"period": "decade"}, 400, "validation_failed"),
    ({"measures": "services_recorded,money"}, 400, "validation_failed"),
    ({"to": "2025-12-31"}, 400, "validation_failed"),
    ({"from": "2020-01-01"}, 400, "validation_failed"),  # more than five years
    ({"region_code": "13010000000"}, 400, "validation_failed"),
    ({"from": "9999-12-01", "to": "9999-12-31"}, 400, "validation_failed"),  # no calendar
    ({"measures": ""}, 400, "validation_failed"),
])
def test_out_of_scope_or_out_of_bounds_is_refused_before_reporting(change, status, error):
    code, body, asked = call("series", {**SERIES, **change})
    assert (code, body["error"]) == (status, error)
    assert body["message"]["zh"] and body["message"]["en"]
    asked.assert_not_called()


def test_only_supervisors_read_reports():
    volunteer = {"person_id": "v", "roles": ["volunteer"], "scope": "130102001001"}
    code, body, asked = call("breakdown", {"region_code": "130102001001", "from": "2026-01-01",
                                           "to": "2026-01-31"}, caller=volunteer)
    assert (code, body["error"]) == (403, "role_required")
    asked.assert_not_called()


def test_the_breakdown_passes_its_span():
    answer = {"region_code": "130100000000", "from": "2026-01-01", "to": "2026-01-31",
              "rows": [{"region_code": "130102000000", "values": {"services_recorded": 1}}],
              "as_of": None, "lag_seconds": None}
    code, body, asked = call("breakdown", {"region_code": "130100000000", "from": "2026-01-01",
                                           "to": "2026-01-31"}, answer=answer)
    assert code == 200 and body == answer
    assert asked.call_args.args[1] == {"region_code": "130100000000", "from": "2026-01-01",
                                       "to": "2026-01-31"}


def test_both_routes_declare_their_answers_in_the_openapi_document():
    routes = {r.openapi_path: r for r in ROUTES}
    for path in ("/api/v1/reports/series", "/api/v1/reports/breakdown"):
        assert routes[path].response is not None
    doc = build("http://127.0.0.1:8000")
    series = doc["paths"]["/api/v1/reports/series"]["get"]
    assert {"region_code", "period", "from", "to", "measures"} <= {
        p["name"] for p in series["parameters"]}
    assert "lag_seconds" in doc["components"]["schemas"][
        series["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        .rsplit("/", 1)[-1]]["properties"]
