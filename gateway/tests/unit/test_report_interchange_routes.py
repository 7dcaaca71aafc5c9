"""/api/v1/reports/zyh, /zyh/dead, /zyh/replay and /reconciliation: refused before any RPC
when the role, the scope or the input is wrong, and passed on as reporting reads them."""
import json
from types import SimpleNamespace
from unittest.mock import Mock

from werkzeug.test import EnvironBuilder

from gateway.service import GatewayService as Gateway

PROVINCE_ADMIN = {"person_id": "p", "roles": ["province_admin"], "scope": "130000000000"}
CITY_ADMIN = {"person_id": "c", "roles": ["city_admin"], "scope": "130100000000"}


def call(route, rpc, method="GET", path="/api/v1/reports/zyh", query=None, body=None,
         caller=PROVINCE_ADMIN, answer=None):
    reporting = Mock()
    getattr(reporting, rpc).return_value = answer
    fake = SimpleNamespace(correlation_id="r-1", rpc_timeout=5, reporting=reporting,
                           config={"STRICT_RESPONSES": True},
                           authenticate=lambda request: caller)
    request = EnvironBuilder(method=method, path=path, query_string=query,
                             json=body).get_request()
    response = route(fake, request)
    return response.status_code, json.loads(response.get_data()), getattr(reporting, rpc)


def test_the_state_of_the_pushes():
    answer = {"enabled": True, "pending": 2, "sent": 10, "dead": 1,
              "last_success_at": "2026-06-15T02:00:00+00:00"}
    status, body, asked = call(Gateway.report_zyh_status, "zyh_status", answer=answer)
    assert (status, body) == (200, answer)
    code, body, asked = call(Gateway.report_zyh_status, "zyh_status", caller=CITY_ADMIN)
    assert (code, body["error"]) == (403, "role_required")
    asked.assert_not_called()


def test_the_dead_page_is_bounded():
    answer = {"items": [], "total": 0, "limit": 5, "offset": 0}
    status, body, asked = call(Gateway.report_zyh_dead, "zyh_dead",
                               path="/api/v1/reports/zyh/dead", query={"limit": "5"},
                               answer=answer)
    assert (status, body) == (200, answer)
    assert asked.call_args.args[1] == {"limit": 5, "offset": 0}
    code, body, asked = call(Gateway.report_zyh_dead, "zyh_dead",
                             path="/api/v1/reports/zyh/dead", query={"limit": "5000"})
    assert (code, body["error"]) == (400, "validation_failed")
    asked.assert_not_called()


def test_a_replay_names_records_or_all_and_is_for_province_admins():
    answer = {"replayed": 1, "record_ids": ["r1"]}
    status, body, asked = call(Gateway.report_zyh_replay, "zyh_replay", method="POST",
                               path="/api/v1/reports/zyh/replay",
                               body={"record_ids": ["r1"]}, answer=answer)
    assert (status, body) == (200, answer)
    assert asked.call_args.args[1] == {"record_ids": ["r1"]}
    for wrong in ({}, {"record_ids": ["r1"], "all": True}, {"record_ids": []}):
        code, body, asked = call(Gateway.report_zyh_replay, "zyh_replay", method="POST",
                                 path="/api/v1/reports/zyh/replay", body=wrong)
        assert (code, body["error"]) == (400, "validation_failed")
        asked.assert_not_called()
    auditor = {"person_id": "a", "roles": ["auditor"], "scope": "130000000000"}
    code, body, asked = call(Gateway.report_zyh_replay, "zyh_replay", method="POST",
                             path="/api/v1/reports/zyh/replay", body={"all": True},
                             caller=auditor)
    assert (code, body["error"]) == (403, "role_required")
    asked.assert_not_called()


def test_the_reconciliation_in_scope_as_reporting_reads_it():
    query = {"region_code": "130100000000", "from": "2026-06-01", "to": "2026-06-30"}
    answer = {"region_code": "130100000000", "from": "2026-06-01", "to": "2026-06-30",
              "ledger": {"records": 1, "minutes": 60},
              "channels": [{"channel": "zyh", "delivered": {"records": 0, "minutes": 0},
                            "ledger": {"records": 1, "minutes": 60}, "ok": False,
                            "difference_count": 1,
                            "differences": [{"record_id": "r1", "ledger_minutes": 60,
                                             "delivered_minutes": None,
                                             "kind": "missing_from_channel"}]}]}
    status, body, asked = call(Gateway.report_reconciliation, "interchange_reconciliation",
                               path="/api/v1/reports/reconciliation", query=query,
                               caller=CITY_ADMIN, answer=answer)
    assert (status, body) == (200, answer)
    assert asked.call_args.args[1] == query
    code, body, asked = call(Gateway.report_reconciliation, "interchange_reconciliation",
                             path="/api/v1/reports/reconciliation",
                             query={**query, "region_code": "130200000000"}, caller=CITY_ADMIN)
    assert (code, body["error"]) == (403, "out_of_scope")
    asked.assert_not_called()
