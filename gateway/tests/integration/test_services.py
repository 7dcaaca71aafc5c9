"""The gateway in a real nameko container, calling stand-in services over real RabbitMQ
(identity: the shared ``IdentityFake``)."""
import base64
import uuid

import eventlet
import pytest
import requests
from sqlalchemy.exc import OperationalError
from timebank_testing.identity_fake import IdentityFake

from gateway.service import GatewayService
from timebank_common.caller import Caller
from timebank_common.errors import Forbidden, NotFound
from timebank_common.tokens import issue_access_token

from . import examples
from .stand_ins import OutsideContract, answers_as

P1 = "0b3c5a1e-0000-4000-8000-000000000001"       # the volunteer calling
MISSING = "0b3c5a1e-0000-4000-8000-00000000dead"  # no such account
SLOW = "0b3c5a1e-0000-4000-8000-00000000510e"     # the ledger never answers in time
DB_DOWN = "0b3c5a1e-0000-4000-8000-0000000db0ff"  # the ledger's database cut the connection
BROKEN = "0b3c5a1e-0000-4000-8000-0000000b0b0b"   # the ledger answers outside its contract
SEEN_CALLERS: list[dict] = []  # what the stand-in ledger was asked with


class FakeLedger:
    name = "ledger"

    @answers_as("ledger", expected_exceptions=NotFound)
    def balance(self, caller, person_id):
        if person_id == MISSING:
            raise NotFound("no_account", "账户不存在", "No such account", {"person_id": person_id})
        if person_id == SLOW:
            eventlet.sleep(5)
        if person_id == DB_DOWN:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        SEEN_CALLERS.append(caller)
        if person_id == BROKEN:
            return OutsideContract({**examples.balance(person_id=person_id),
                                    "earned_minutes": "ninety", "secret": "s3cr3t"})
        return examples.balance(person_id=person_id, earned_minutes=90, available_minutes=90)

    @answers_as("ledger")
    def verify_certificate(self, number):
        if number == "HB-1301-20261129-7K3QXM5":
            return examples.certificate_verification(number=number)
        return {"genuine": False, "number": number, "reason": "unknown_number",
                "message": {"zh": "查无此证明", "en": "No certificate has this number"}}

    @answers_as("ledger", expected_exceptions=NotFound)
    def get_certificate_pdf(self, caller, number):
        return {"number": number, "filename": f"{number}.pdf",
                "pdf_base64": base64.b64encode(b"%PDF-1.4 for " + caller["person_id"].encode()).decode()}

    @answers_as("ledger", expected_exceptions=Forbidden)
    def ledger_stats(self, caller, region_code=None, period_from=None, period_to=None):
        if region_code == "130200000000":
            raise Forbidden("out_of_scope", "该记录不在您的管辖范围内",
                            "This record is outside your region")
        return examples.ledger_stats(region_code=region_code or caller["scope"],
                                     deposited_minutes=150, liability_minutes=150,
                                     period={"from": period_from, "to": period_to})

    @answers_as("ledger")
    def interchange_report(self, caller, query):
        return examples.interchange(
            period={"from": query["period_from"], "to": query["period_to"]},
            pairs=[{"from_unit": "130100000000", "to_unit": "130200000000", "minutes": 30,
                    "by_kind": {"move": 30}}],
            complete=caller["scope"] == "130000000000")


class FakeNotify:
    name = "notify"

    @answers_as("notify")
    def call_tasks(self, caller, query):
        """The caller's station (``carrier_id``) is the one whose calls are listed."""
        return examples.page([examples.call_task(status=query["status"],
                                                 carrier_id=caller["carrier_id"])],
                             page=query["page"], page_size=query["page_size"])

    @answers_as("notify")
    def set_preferences(self, caller, data, person_id=None):
        return examples.preferences(
            person_id=person_id or caller["person_id"], channels=data["channels"],
            quiet_hours={**data["quiet_hours"], "time_zone": "Asia/Shanghai"},
            updated_by=caller["person_id"])


@pytest.fixture
def gateway(service_config, start_service, token_keys):
    start_service(FakeLedger, service_config(None))
    cfg = service_config(None, RPC_TIMEOUT_SECONDS=1, STRICT_RESPONSES=True)
    start_service(GatewayService, cfg)
    base = f"http://{cfg['WEB_SERVER_ADDRESS']}"
    private = open(token_keys["JWT_PRIVATE_KEY_FILE"], "rb").read()
    caller = Caller(P1, ("volunteer",), "130102001001", name="李明")
    return base, issue_access_token(private, caller, 60)


def test_verified_caller_reaches_the_service(gateway):
    base, token = gateway
    SEEN_CALLERS.clear()
    resp = requests.get(f"{base}/api/v1/accounts/{P1}", headers={"Authorization": f"Bearer {token}",
                                                                  "X-Request-Id": "req-123"}, timeout=10)
    assert resp.status_code == 200
    assert resp.headers["X-Request-Id"] == "req-123"
    assert resp.json() == examples.balance(person_id=P1, earned_minutes=90, available_minutes=90)
    [seen] = SEEN_CALLERS
    assert seen["person_id"] == P1 and seen["roles"] == ["volunteer"] and seen["scope"] == "130102001001"


def test_domain_error_becomes_http_status_with_bilingual_body(gateway):
    base, token = gateway
    resp = requests.get(f"{base}/api/v1/accounts/{MISSING}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert resp.status_code == 404
    body = resp.json()
    assert body["error"] == "no_account"
    assert body["message"] == {"zh": "账户不存在", "en": "No such account"}
    assert body["details"] == {"person_id": MISSING}


def test_bad_or_missing_token_is_401_without_calling_services(gateway):
    base, token = gateway
    assert requests.get(f"{base}/api/v1/accounts/{P1}", timeout=10).status_code == 401
    resp = requests.get(f"{base}/api/v1/accounts/{P1}", headers={"Authorization": f"Bearer {token}x"}, timeout=10)
    assert resp.status_code == 401 and resp.json()["error"] == "token_invalid"


def test_a_service_that_does_not_answer_gives_503(gateway):
    base, token = gateway
    resp = requests.get(f"{base}/api/v1/accounts/{SLOW}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert resp.status_code == 503
    assert resp.json()["error"] == "service_unavailable" and resp.json()["details"] is None


def test_a_service_whose_database_is_down_gives_503_not_500(gateway):
    base, token = gateway
    resp = requests.get(f"{base}/api/v1/accounts/{DB_DOWN}",
                        headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "5"
    assert resp.json()["error"] == "service_unavailable" and resp.json()["details"] is None


def test_anyone_can_verify_a_certificate_without_logging_in(gateway):
    base, _ = gateway
    resp = requests.get(f"{base}/api/v1/certificates/HB-1301-20261129-7K3QXM5/verify", timeout=10)
    assert resp.status_code == 200
    assert resp.json()["genuine"] is True
    assert resp.json()["number"] == "HB-1301-20261129-7K3QXM5"
    unknown = requests.get(f"{base}/api/v1/certificates/HB-1301-20261129-0000000/verify",
                           timeout=10)
    assert unknown.status_code == 200
    assert unknown.json()["genuine"] is False and unknown.json()["reason"] == "unknown_number"


def test_certificate_download_is_a_pdf_for_the_logged_in_caller(gateway):
    base, token = gateway
    url = f"{base}/api/v1/certificates/HB-1301-20261129-7K3QXM5"
    assert requests.get(url, timeout=10).status_code == 401
    resp = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/pdf"
    assert 'filename="HB-1301-20261129-7K3QXM5.pdf"' in resp.headers["Content-Disposition"]
    assert resp.content == b"%PDF-1.4 for " + P1.encode()


def test_stats_carry_the_ledger_figures_next_to_identity(gateway, service_config, start_service,
                                                        token_keys):
    identity = IdentityFake()
    for _ in range(3):  # volunteers of 长安区
        identity.add_volunteer(region_code="130102002003")
    start_service(identity.service_class(), service_config(None))
    base, _ = gateway
    private = open(token_keys["JWT_PRIVATE_KEY_FILE"], "rb").read()
    admin = issue_access_token(private, Caller("adm-1", ("city_admin",), "130100000000"), 60)
    resp = requests.get(f"{base}/api/v1/stats?region=130102000000&from=2026-11-01&to=2026-11-30",
                        headers={"Authorization": f"Bearer {admin}"}, timeout=10)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["region"] == "130102000000"
    assert body["identity"]["volunteers"]["registered"] == 3
    ledger = body["ledger"]
    assert ledger["region_code"] == "130102000000"
    assert ledger["deposited_minutes"] == 150 and ledger["liability_minutes"] == 150
    assert ledger["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    # outside the caller's scope: the gateway refuses before asking anyone
    resp = requests.get(f"{base}/api/v1/stats?region=130200000000",
                        headers={"Authorization": f"Bearer {admin}"}, timeout=10)
    assert resp.status_code == 403 and resp.json()["error"] == "out_of_scope"


def test_the_interchange_report_is_for_province_and_city_staff(gateway, token_keys):
    base, volunteer = gateway
    private = open(token_keys["JWT_PRIVATE_KEY_FILE"], "rb").read()
    admin = issue_access_token(private, Caller("adm-p", ("province_admin",), "130000000000"), 60)
    url = f"{base}/api/v1/stats/interchange?period_from=2026-11-01&period_to=2026-11-30"
    resp = requests.get(url, headers={"Authorization": f"Bearer {admin}"}, timeout=10)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["period"] == {"from": "2026-11-01", "to": "2026-11-30"} and body["complete"]
    assert body["pairs"][0]["by_kind"] == {"move": 30}
    refused = requests.get(url, headers={"Authorization": f"Bearer {volunteer}"}, timeout=10)
    assert refused.status_code == 403
    backwards = requests.get(f"{base}/api/v1/stats/interchange?period_from=2026-12-01"
                             "&period_to=2026-11-01",
                             headers={"Authorization": f"Bearer {admin}"}, timeout=10)
    assert backwards.status_code == 400


def test_call_tasks_and_preferences_reach_notify(gateway, service_config, start_service,
                                                 token_keys):
    base, token = gateway
    start_service(FakeNotify, service_config(None))
    private = open(token_keys["JWT_PRIVATE_KEY_FILE"], "rb").read()
    operator = issue_access_token(private, Caller("op-1", ("station_operator",), "130102001000",
                                                  carrier_id="c-1"), 60)
    resp = requests.get(f"{base}/api/v1/call-tasks?status=done&page_size=5",
                        headers={"Authorization": f"Bearer {operator}"}, timeout=10)
    assert resp.status_code == 200
    assert resp.json()["items"][0]["status"] == "done"
    assert resp.json()["items"][0]["carrier_id"] == "c-1" and resp.json()["page_size"] == 5
    refused = requests.get(f"{base}/api/v1/call-tasks",
                           headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert refused.status_code == 403

    elder_id = str(uuid.uuid4())
    put = requests.put(f"{base}/api/v1/preferences?person_id={elder_id}",
                       json={"channels": ["call"], "quiet_hours": {"start": "21:00", "end": "08:00"}},
                       headers={"Authorization": f"Bearer {operator}"}, timeout=10)
    assert put.status_code == 200
    assert put.json()["person_id"] == elder_id and put.json()["channels"] == ["call"]
    not_an_id = requests.put(f"{base}/api/v1/preferences?person_id=e-1", json={"channels": ["call"]},
                             headers={"Authorization": f"Bearer {operator}"}, timeout=10)
    assert not_an_id.status_code == 400 and "person_id" in not_an_id.json()["details"]
    bad = requests.put(f"{base}/api/v1/preferences", json={"channels": ["fax"]},
                       headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert bad.status_code == 400 and bad.json()["error"] == "validation_failed"


# --- the HTTP edge against the real gateway (issue 15) ----------------------------------------

def test_bodies_that_are_not_json_too_large_or_too_deep_are_refused(gateway):
    base, token = gateway
    url = f"{base}/api/v1/auth/login"
    for content_type, data in (("text/plain", '{"phone": "1"}'), ("application/xml", "<a/>"),
                               ("application/x-www-form-urlencoded", "phone=1&password=2")):
        resp = requests.post(url, data=data, headers={"Content-Type": content_type}, timeout=10)
        assert resp.status_code == 415, content_type
        assert resp.json()["error"] == "unsupported_media_type"
    big = requests.post(url, data=b'{"phone": "' + b"1" * (2 * 1024 * 1024) + b'"}',
                        headers={"Content-Type": "application/json"}, timeout=10)
    assert big.status_code == 413 and big.json()["error"] == "body_too_large"
    deep = requests.post(url, data=b'{"phone": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
                         headers={"Content-Type": "application/json"}, timeout=10)
    assert deep.status_code == 400 and deep.json()["error"] == "body_too_deep"


def test_unknown_paths_methods_and_ids_are_json_404_and_405(gateway):
    base, token = gateway
    auth = {"Authorization": f"Bearer {token}"}
    for method, path in (("GET", "/api/v1/nothing-here"), ("POST", "/api/v1/nothing-here"),
                         ("GET", "/api/v1/accounts/not-a-uuid"), ("GET", "/docs/nothing.js")):
        resp = requests.request(method, base + path, headers=auth, timeout=10)
        assert resp.status_code == 404, path
        assert resp.headers["Content-Type"].startswith("application/json")
        assert resp.json()["error"] == "not_found" and resp.json()["details"] is None
    resp = requests.delete(f"{base}/api/v1/accounts/{P1}", headers=auth, timeout=10)
    assert resp.status_code == 405 and resp.json()["error"] == "method_not_allowed"
    assert resp.headers["Allow"] == "GET, HEAD"
    console = requests.get(f"{base}/demands/42", timeout=10)  # a console client route
    assert console.status_code == 200 and console.headers["Content-Type"].startswith("text/html")


def test_errors_are_problem_details_when_asked(gateway):
    base, token = gateway
    resp = requests.get(f"{base}/api/v1/accounts/{MISSING}", timeout=10,
                        headers={"Authorization": f"Bearer {token}",
                                 "Accept": "application/problem+json"})
    assert resp.status_code == 404
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    problem = resp.json()
    assert problem["type"] == "urn:timebank:error:no_account" and problem["status"] == 404
    assert problem["instance"] == f"/api/v1/accounts/{MISSING}"
    assert problem["error"] == "no_account" and problem["details"] == {"person_id": MISSING}


def test_a_strict_gateway_refuses_an_answer_that_breaks_its_schema(gateway):
    base, token = gateway
    resp = requests.get(f"{base}/api/v1/accounts/{BROKEN}", timeout=10,
                        headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 500
    body = resp.json()
    assert body["error"] == "response_contract_violation"
    assert set(body["details"]["fields"]) == {"earned_minutes", "secret"}
    assert "s3cr3t" not in resp.text
