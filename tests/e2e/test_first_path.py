"""Issue 2's path over HTTP with every service running as its own process."""
import io
import time

import pytest
from pypdf import PdfReader

from first_path import balance_of, run_path, wait_for, wait_for_balance

pytestmark = pytest.mark.e2e


def test_first_hour_banked_end_to_end(api, demo_accounts):
    result = run_path(api, demo_accounts)
    volunteer = result["volunteer"]["person_id"]
    vt = result["volunteer_token"]

    balance = wait_for_balance(api, result, 90)
    assert balance["earned_minutes"] == 90
    assert balance["grant_minutes"] == 0

    statement = api.call("GET", f"/api/v1/accounts/{volunteer}/statement", token=vt, expect=200).json()
    assert statement["total"] == 1
    [entry] = statement["items"]
    assert entry["amount_minutes"] == 90
    assert entry["kind"] == "service_credit"
    assert entry["balance_after"] == 90

    inbox = wait_for(lambda: api.call("GET", "/api/v1/inbox", token=vt, expect=200).json(),
                     lambda box: any(m["kind"] == "hours_credited" for m in box["items"]))
    credited = next(m for m in inbox["items"] if m["kind"] == "hours_credited")
    assert "1小时30分" in credited["body"]
    assert inbox["unread"] >= 1
    api.call("POST", f"/api/v1/inbox/{credited['id']}/read", token=vt, expect=200)

    # the elder's own record, the volunteer's feed and the operator's views agree
    demand = api.call("GET", f"/api/v1/demands/{result['demand_id']}", token=result["operator_token"],
                      expect=200).json()
    assert demand["status"] == "recorded"

    # nothing more arrives later: one record, one credit
    time.sleep(1.0)
    assert balance_of(api, result)["earned_minutes"] == 90


def test_errors_are_json_in_both_languages(api, demo_accounts):
    resp = api.call("GET", "/api/v1/me")
    assert resp.status_code == 401
    body = resp.json()
    assert body["error"] == "login_required" and body["message"]["zh"] and body["message"]["en"]

    operator = demo_accounts["station_operator"]
    op = api.login(operator["phone"], operator["password"])
    resp = api.call("POST", "/api/v1/demands", {"category": "emotional_comfort"}, token=op)
    assert resp.status_code == 400
    assert resp.json()["error"] == "validation_failed"
    assert "elder_id" in resp.json()["details"]

    resp = api.call("POST", "/api/v1/elders", data="{not json", token=op,
                    headers={"Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.json()["error"] == "malformed_json"

    resp = api.call("POST", "/api/v1/auth/login", {"phone": operator["phone"], "password": "wrong-password"})
    assert resp.status_code == 401

    resp = api.call("GET", "/api/v1/demands/00000000-0000-0000-0000-000000000000", token=op)
    assert resp.status_code == 404


def test_openapi_and_docs(api):
    spec = api.call("GET", "/openapi.json", expect=200).json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/demands/{demand_id}/record" in spec["paths"]
    submit = spec["paths"]["/api/v1/demands"]["post"]
    assert "requestBody" in submit
    assert "Error" in spec["components"]["schemas"]
    page = api.call("GET", "/docs", expect=200)
    assert "swagger-ui" in page.text
    api.call("GET", "/docs/swagger-ui-bundle.js", expect=200)


def test_every_process_has_health_probes_and_metrics(platform):
    import requests

    for name in platform.processes:
        assert requests.get(platform.url(name, "/health"), timeout=10).status_code == 200
        assert requests.get(platform.url(name, "/livez"), timeout=10).json()["status"] == "ok"
        ready = requests.get(platform.url(name, "/readyz"), timeout=10)
        assert ready.status_code == 200, (name, ready.text)
        assert set(ready.json()["checks"].values()) == {"ok"}, (name, ready.text)
    metrics = requests.get(platform.url("ledger", "/metrics"), timeout=10).text
    assert "timebank_entrypoint_calls_total" in metrics
    assert "timebank_outbox_backlog" in metrics
    assert "timebank_dead_letters_check_ok 1.0" in metrics  # its broker connection works
    assert "_created" not in metrics and 'service="' not in metrics


def test_correlation_id_follows_the_record_through_rpc_and_events(platform, api, demo_accounts):
    """One X-Request-Id on the record call shows up in the logs of gateway, demand
    (RPC), ledger (service_recorded event) and notify (hours_credited event)."""
    import json
    import uuid

    request_id = f"e2e-{uuid.uuid4().hex}"
    result = run_path(api, demo_accounts, request_id=request_id)
    wait_for_balance(api, result, 90)

    def services_logging_it():
        seen = set()
        for name in ("gateway", "demand", "ledger", "notify"):
            for line in (platform.log_dir / f"{name}.log").read_text(encoding="utf-8").splitlines():
                if request_id in line:
                    entry = json.loads(line)
                    assert entry["correlation_id"] == request_id
                    seen.add(entry["service"])
        return seen

    wait_for(services_logging_it, lambda seen: seen == {"gateway", "demand", "ledger", "notify"})


def test_banked_hours_get_a_certificate_anyone_can_verify(api, demo_accounts):
    """The volunteer of the path asks for a 服务记录证明; the PDF carries their name (from the
    real identity service) and a number the public verification route says is genuine."""
    import datetime as dt  # noqa: PLC0415

    result = run_path(api, demo_accounts, minutes=75)
    wait_for_balance(api, result, 75)
    volunteer, vt = result["volunteer"]["person_id"], result["volunteer_token"]
    today = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date()
    issued = api.call("POST", "/api/v1/certificates",
                      {"person_id": volunteer, "from": f"{today.year}-01-01", "to": today.isoformat()},
                      token=vt, expect=201).json()
    assert issued["total_minutes"] == 75 and issued["services"] == 1
    pdf = api.call("GET", issued["download_path"], token=vt, expect=200)
    assert pdf.headers["Content-Type"].startswith("application/pdf")
    assert pdf.content.startswith(b"%PDF")
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "服务记录证明" in pdf_text and result["volunteer"]["name"] in pdf_text
    assert "情感慰藉" in pdf_text  # the category's name, from demand's catalogue
    assert result["volunteer_number"] in pdf_text  # from identity's get_person
    check = api.call("GET", f"/api/v1/certificates/{issued['number']}/verify", expect=200).json()
    assert check["genuine"] is True and check["total_minutes"] == 75
    name = check["volunteer_name"]  # 李明, masked for the public
    assert name.startswith("李") and "*" in name and "明" not in name
    forged = issued["number"][:-1] + ("2" if issued["number"][-1] != "2" else "3")
    assert api.call("GET", f"/api/v1/certificates/{forged}/verify", expect=200).json()["genuine"] is False
