"""/api/v1/reports/exports: asked for (202, idempotent, role and scope checked first), polled,
listed, and the file streamed chunk after chunk with its Chinese name."""
import base64
import json
from types import SimpleNamespace
from unittest.mock import Mock
from urllib.parse import unquote

from werkzeug.test import EnvironBuilder

from gateway.openapi import build
from gateway.routing import ROUTES
from gateway.service import GatewayService as Gateway
from timebank_common import idempotency
from timebank_common.errors import Conflict

CITY_ADMIN = {"person_id": "p", "roles": ["city_admin"], "scope": "130100000000"}
JOB = {"id": "j1", "kind": "service_records", "format": "xlsx", "status": "queued",
       "percent": None, "rows": 0, "total_rows": None,
       "params": {"region_code": "130102000000", "from": "2026-11-01", "to": "2026-11-30"},
       "created_at": "2026-12-01T00:00:00+00:00", "started_at": None, "finished_at": None,
       "expires_at": None, "file_name": None, "size_bytes": None, "error": None}
REQUEST = {"kind": "service_records", "format": "xlsx", "params": JOB["params"]}


def gateway(reporting, caller=CITY_ADMIN):
    return SimpleNamespace(correlation_id="r-1", rpc_timeout=5, reporting=reporting,
                           config={"STRICT_RESPONSES": True},
                           authenticate=lambda request: caller)


def test_asking_for_an_export_answers_202_with_the_job():
    reporting = Mock()
    reporting.start_export.return_value = idempotency.envelope(JOB, False)
    request = EnvironBuilder(method="POST", json=REQUEST,
                             headers={"Idempotency-Key": "k1"}).get_request()
    response = Gateway.start_report_export(gateway(reporting), request)
    assert response.status_code == 202 and json.loads(response.get_data()) == JOB
    caller, body = reporting.start_export.call_args.args
    assert body == REQUEST and reporting.start_export.call_args.kwargs == {
        "idempotency_key": "k1"}


def test_out_of_scope_params_or_a_bad_format_are_refused_before_reporting():
    reporting = Mock()
    for body, status, code in [
            ({**REQUEST, "params": {**JOB["params"], "region_code": "130200000000"}}, 403,
             "out_of_scope"),
            ({**REQUEST, "format": "pdf"}, 400, "validation_failed")]:
        request = EnvironBuilder(method="POST", json=body).get_request()
        response = Gateway.start_report_export(gateway(reporting), request)
        answer = json.loads(response.get_data())
        assert (response.status_code, answer["error"]) == (status, code)
    volunteer = {"person_id": "v", "roles": ["volunteer"], "scope": "130102001001"}
    request = EnvironBuilder(method="POST", json=REQUEST).get_request()
    assert Gateway.start_report_export(gateway(reporting, volunteer), request
                                       ).status_code == 403
    reporting.start_export.assert_not_called()


def test_jobs_are_listed_and_polled():
    reporting = Mock()
    reporting.list_exports.return_value = {"items": [JOB]}
    reporting.export_job.return_value = JOB
    listed = Gateway.list_report_exports(gateway(reporting),
                                         EnvironBuilder(method="GET").get_request())
    assert json.loads(listed.get_data()) == {"items": [JOB]}
    one = Gateway.get_report_export(gateway(reporting),
                                    EnvironBuilder(method="GET").get_request(), export_id="j1")
    assert one.status_code == 200 and reporting.export_job.call_args.args[1] == "j1"


def test_the_file_is_streamed_chunk_by_chunk_with_its_chinese_name():
    parts = [b"a" * 5, b"b" * 5, b"c" * 2]
    offsets = [0, 5, 10, 12]

    def chunk(caller, job_id, offset):
        n = offsets.index(offset)
        return {"data": base64.b64encode(parts[n]).decode(), "offset": offset,
                "next_offset": offsets[n + 1], "size_bytes": 12, "eof": n == 2,
                "file_name": "服务记录_130102000000.csv", "media_type": "text/csv; charset=utf-8"}

    reporting = Mock()
    reporting.export_file_chunk.side_effect = chunk
    response = Gateway.download_report_export(gateway(reporting),
                                              EnvironBuilder(method="GET").get_request(),
                                              export_id="j1")
    assert reporting.export_file_chunk.call_count == 1  # the rest as the client reads
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert b"".join(response.response) == b"aaaaabbbbbcc"
    assert reporting.export_file_chunk.call_count == 3
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "服务记录_130102000000.csv"
    assert response.headers["Content-Length"] == "12"


def test_a_file_not_ready_is_409():
    reporting = Mock()
    reporting.export_file_chunk.side_effect = Conflict("export_not_ready", "导出尚未完成",
                                                       "not done")
    response = Gateway.download_report_export(gateway(reporting),
                                              EnvironBuilder(method="GET").get_request(),
                                              export_id="j1")
    assert (response.status_code, json.loads(response.get_data())["error"]) == (
        409, "export_not_ready")


def test_the_routes_are_documented():
    paths = {(r.method, r.openapi_path) for r in ROUTES}
    assert {("POST", "/api/v1/reports/exports"), ("GET", "/api/v1/reports/exports"),
            ("GET", "/api/v1/reports/exports/{export_id}"),
            ("GET", "/api/v1/reports/exports/{export_id}/file")} <= paths
    doc = build("http://127.0.0.1:8000")
    assert "202" in doc["paths"]["/api/v1/reports/exports"]["post"]["responses"]
    assert "409" in doc["paths"]["/api/v1/reports/exports/{export_id}/file"]["get"]["responses"]
