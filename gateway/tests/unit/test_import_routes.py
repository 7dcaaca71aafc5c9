"""/api/v1/people/imports: the one route that takes a file as its body (CSV or XLSX, up to
its limit), every other route still JSON only; the job passed on to identity as its RPC reads
it, the refused rows as a page or a CSV for Excel."""
import base64
import json
from types import SimpleNamespace
from unittest.mock import Mock

import pytest
from werkzeug.test import EnvironBuilder

from gateway.openapi import build
from gateway.routing import ROUTES
from gateway.service import GatewayService as Gateway

OPERATOR = {"person_id": "p", "roles": ["station_operator"], "scope": "130102001001"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JOB = {"id": "0b7c9c52-0f5e-4d0e-9a43-3f0f3b7c9d11", "kind": "volunteer_registrations",
       "status": "queued", "percent": None, "rows_done": 0, "total_rows": None, "created": 0,
       "updated": 0, "unchanged": 0, "refused": 0, "created_at": "2026-12-07T06:00:00+00:00",
       "finished_at": None, "file_name": "名册.csv", "error": None}
QUERY = {"kind": "volunteer_registrations", "filename": "名册.csv"}


def fake(identity, caller=OPERATOR):
    return SimpleNamespace(correlation_id="r-1", rpc_timeout=5, identity=identity,
                           config={"STRICT_RESPONSES": True}, authenticate=lambda request: caller)


def upload(data: bytes, content_type="text/csv", query=QUERY, caller=OPERATOR, headers=None):
    identity = Mock()
    identity.start_import.return_value = {"answer": JOB, "idempotency_replayed": False}
    request = EnvironBuilder(method="POST", path="/api/v1/people/imports", query_string=query,
                             data=data, content_type=content_type,
                             headers=headers or {}).get_request()
    response = Gateway.start_import(fake(identity, caller), request)
    return response.status_code, json.loads(response.get_data()), identity.start_import


@pytest.mark.parametrize("content_type", ["text/csv", "text/csv; charset=gb18030", XLSX,
                                          "application/vnd.ms-excel"])
def test_a_csv_or_xlsx_body_is_passed_on_as_base64(content_type):
    raw = "志愿者编号,状态\nV1,已认证\n".encode("gb18030")
    status, body, asked = upload(raw, content_type, headers={"Idempotency-Key": "k-12345678"})
    assert status == 202 and body == JOB
    caller, data = asked.call_args.args
    assert data == {"kind": "volunteer_registrations", "file_name": "名册.csv",
                    "content": base64.b64encode(raw).decode()}
    assert asked.call_args.kwargs == {"idempotency_key": "k-12345678"}


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/pdf",
                                          "multipart/form-data; boundary=x"])
def test_any_other_body_is_415(content_type):
    status, body, asked = upload(b'{"a": 1}', content_type)
    assert (status, body["error"]) == (415, "unsupported_media_type")
    assert "text/csv" in body["details"]["accepted"] and body["message"]["zh"]
    asked.assert_not_called()


def test_a_file_above_the_limit_is_413_before_it_is_read(monkeypatch):
    spec = next(r for r in ROUTES if r.openapi_path == "/api/v1/people/imports"
                and r.method == "POST")
    monkeypatch.setattr(spec, "raw_body_max", 10)
    status, body, asked = upload(b"a,b\n" * 3)
    assert (status, body["error"]) == (413, "body_too_large")
    assert body["details"] == {"max_bytes": 10}
    asked.assert_not_called()


@pytest.mark.parametrize("query, data, error", [
    ({"kind": "everything", "filename": "x.csv"}, b"a\n", "validation_failed"),
    ({"kind": "registry_status"}, b"a\n", "validation_failed"),
    (QUERY, b"", "empty_file"),
])
def test_a_bad_kind_no_name_or_no_file_is_400(query, data, error):
    status, body, asked = upload(data, query=query)
    assert (status, body["error"]) == (400, error)
    asked.assert_not_called()


def test_only_the_staff_who_register_volunteers_upload():
    volunteer = {"person_id": "v", "roles": ["volunteer"], "scope": "130102001001"}
    status, body, asked = upload(b"a\n", caller=volunteer)
    assert (status, body["error"]) == (403, "role_required")
    asked.assert_not_called()


def test_other_routes_still_refuse_a_csv_body():
    request = EnvironBuilder(method="POST", path="/api/v1/elders", data=b"a,b\n",
                             content_type="text/csv").get_request()
    response = Gateway.register_elder(fake(Mock()), request)
    assert response.status_code == 415


def test_the_refused_rows_as_csv_for_excel():
    identity = Mock()
    identity.import_errors.side_effect = [
        {"items": [{"line": 4, "code": "invalid_id_number", "zh": "身份证号码校验位错误",
                    "en": "The check character is wrong"}] * 1000, "total": 1001, "page": 1,
         "page_size": 1000},
        {"items": [{"line": 9, "code": "invalid_phone", "zh": "手机号码应为11位", "en": "11 digits, "
                    "please"}], "total": 1001, "page": 2, "page_size": 1000}]
    request = EnvironBuilder(method="GET",
                             path=f"/api/v1/people/imports/{JOB['id']}/errors.csv").get_request()
    response = Gateway.import_errors_csv(fake(identity), request, job_id=JOB["id"])
    raw = response.get_data()
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "行号 line,代码 code,原因,reason" and len(lines) == 1002
    assert lines[-1] == '9,invalid_phone,手机号码应为11位,"11 digits, please"'
    assert [c.args[2]["page"] for c in identity.import_errors.call_args_list] == [1, 2]


def test_openapi_declares_the_file_body_and_its_refusals():
    operation = build("http://127.0.0.1:8000")["paths"]["/api/v1/people/imports"]["post"]
    assert set(operation["requestBody"]["content"]) == {"text/csv", XLSX,
                                                        "application/vnd.ms-excel"}
    assert {"202", "400", "403", "413", "415"} <= set(operation["responses"])
