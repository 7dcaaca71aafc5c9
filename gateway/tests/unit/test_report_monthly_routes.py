"""/api/v1/reports/commendation and /monthly...: refused before any RPC when the role, the
scope or the input is wrong, passed on as reporting reads them; verification is public."""
import base64
import json
from types import SimpleNamespace
from unittest.mock import Mock

import pytest
from werkzeug.test import EnvironBuilder

from gateway.openapi import build
from gateway.routing import ROUTES
from gateway.service import GatewayService as Gateway

CITY_ADMIN = {"person_id": "p", "roles": ["city_admin"], "scope": "130100000000"}
NUMBER = "YB-1301-202611-7K3QXM5"
REPORT = {"number": NUMBER, "region_code": "130100000000", "region_name": "石家庄市",
          "month": "2026-11", "sha256": "ab" * 32, "key_id": "0123456789abcdef",
          "signature_fingerprint": "ABCD 1234 ABCD 1234",
          "generated_at": "2026-12-01T02:00:00+00:00", "as_of": None,
          "pdf_path": f"/api/v1/reports/monthly/{NUMBER}/pdf",
          "verify_url": f"http://127.0.0.1:8000/api/v1/reports/monthly/verify/{NUMBER}"}


def call(route, method, path, *, caller=CITY_ADMIN, query=None, body=None, rpc=None,
         answer=None):
    reporting = Mock()
    if rpc:
        getattr(reporting, rpc).return_value = answer

    def authenticate(request):
        if caller is None:
            raise AssertionError("a public route does not authenticate")
        return caller

    fake = SimpleNamespace(correlation_id="r-1", rpc_timeout=5, reporting=reporting,
                           config={"STRICT_RESPONSES": True}, authenticate=authenticate)
    request = EnvironBuilder(method=method, path=path, query_string=query,
                             data=json.dumps(body) if body is not None else None,
                             content_type="application/json" if body is not None else None
                             ).get_request()
    params = {"number": path.split("/")[-1] if "verify" in path else NUMBER} \
        if "/monthly/" in path else {}
    response = route(fake, request, **params)
    return response, reporting


def test_commendation_is_asked_as_reporting_reads_it():
    answer = {"region_code": "130100000000", "from": "2026-11-01", "to": "2026-11-30",
              "long_service_months": 6, "min_evaluations": 3,
              "milestones": [{"person_id": "v1", "name": "王*明", "level": 2,
                              "cumulative_minutes": 3000, "day": "2026-11-15"}],
              "busiest_stations": [], "best_rated_stations": [], "long_serving": [],
              "as_of": None, "lag_seconds": None}
    response, reporting = call(Gateway.report_commendation, "GET",
                               "/api/v1/reports/commendation",
                               query={"region_code": "130100000000", "from": "2026-11-01",
                                      "to": "2026-11-30", "limit": "5"},
                               rpc="commendation", answer=answer)
    assert response.status_code == 200 and json.loads(response.get_data()) == answer
    assert reporting.commendation.call_args.args[1] == {
        "region_code": "130100000000", "from": "2026-11-01", "to": "2026-11-30", "limit": 5}


@pytest.mark.parametrize("query, status, error", [
    ({"region_code": "130200000000", "from": "2026-11-01", "to": "2026-11-30"}, 403,
     "out_of_scope"),
    ({"region_code": "130100000000", "from": "2026-11-01", "to": "2026-11-30", "limit": "0"},
     400, "validation_failed"),
    ({"region_code": "130100000000", "from": "2026-11-30", "to": "2026-11-01"}, 400,
     "validation_failed"),
])
def test_commendation_out_of_scope_or_bounds_is_refused_before_reporting(query, status, error):
    response, reporting = call(Gateway.report_commendation, "GET",
                               "/api/v1/reports/commendation", query=query)
    body = json.loads(response.get_data())
    assert (response.status_code, body["error"]) == (status, error)
    assert body["message"]["zh"] and body["message"]["en"]
    reporting.commendation.assert_not_called()


def test_a_report_is_made_for_a_month_in_scope():
    response, reporting = call(Gateway.make_monthly_report, "POST", "/api/v1/reports/monthly",
                               body={"region_code": "130100000000", "month": "2026-11"},
                               rpc="generate_monthly_report", answer=REPORT)
    assert response.status_code == 200 and json.loads(response.get_data()) == REPORT
    assert reporting.generate_monthly_report.call_args.args[1] == {
        "region_code": "130100000000", "month": "2026-11"}
    for bad, status in (({"region_code": "130100000000", "month": "2026-13"}, 400),
                        ({"region_code": "130100000000", "month": "2026/11"}, 400),
                        ({"region_code": "130200000000", "month": "2026-11"}, 403)):
        response, reporting = call(Gateway.make_monthly_report, "POST",
                                   "/api/v1/reports/monthly", body=bad)
        assert response.status_code == status
        reporting.generate_monthly_report.assert_not_called()


def test_a_volunteer_reads_no_report():
    volunteer = {"person_id": "v", "roles": ["volunteer"], "scope": "130102001001"}
    response, reporting = call(Gateway.monthly_report, "GET", "/api/v1/reports/monthly",
                               caller=volunteer,
                               query={"region_code": "130102001001", "month": "2026-11"})
    assert (response.status_code, json.loads(response.get_data())["error"]) == (
        403, "role_required")
    reporting.monthly_report.assert_not_called()


def test_the_pdf_is_served_as_pdf():
    response, reporting = call(Gateway.monthly_report_pdf, "GET",
                               f"/api/v1/reports/monthly/{NUMBER}/pdf",
                               rpc="monthly_report_pdf",
                               answer={"filename": f"{NUMBER}.pdf",
                                       "pdf_base64": base64.b64encode(b"%PDF-1.4").decode()})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.get_data() == b"%PDF-1.4"
    assert reporting.monthly_report_pdf.call_args.args[1] == NUMBER


def test_verification_needs_no_login():
    answer = {"number": NUMBER, "genuine": True, "reason": None,
              "region_code": "130100000000", "region_name": "石家庄市", "month": "2026-11",
              "sha256": "ab" * 32, "key_id": "0123456789abcdef",
              "signature_fingerprint": "ABCD 1234 ABCD 1234",
              "generated_at": "2026-12-01T02:00:00+00:00", "as_of": None}
    response, reporting = call(Gateway.verify_monthly_report, "GET",
                               f"/api/v1/reports/monthly/verify/{NUMBER}", caller=None,
                               rpc="verify_monthly_report", answer=answer)
    assert response.status_code == 200 and json.loads(response.get_data()) == answer
    assert reporting.verify_monthly_report.call_args.args == (NUMBER,)


def test_the_routes_are_in_the_openapi_document_and_verification_is_public():
    routes = {(r.method, r.openapi_path): r for r in ROUTES}
    verify = routes[("GET", "/api/v1/reports/monthly/verify/{number}")]
    assert verify.public and verify.response is not None
    assert not routes[("GET", "/api/v1/reports/monthly/{number}/pdf")].public
    doc = build("http://127.0.0.1:8000")
    for path in ("/api/v1/reports/commendation", "/api/v1/reports/monthly",
                 "/api/v1/reports/monthly/{number}/pdf",
                 "/api/v1/reports/monthly/verify/{number}"):
        assert path in doc["paths"], path
