"""Demand intake through the gateway: the real demand service (real PostgreSQL, RabbitMQ)
behind the real gateway; identity is the shared ``IdentityFake`` (every elder in ``REGION``,
every volunteer eligible)."""
import datetime as dt
import uuid

import eventlet
import pytest
import requests
from timebank_testing.identity_fake import IdentityFake

from gateway.routes.stats import SupervisionStatsOut
from gateway.service import GatewayService
from timebank_common.caller import Caller
from timebank_common.runner import service_class
from timebank_common.tokens import issue_access_token

REGION = "130102001001"


@pytest.fixture(scope="module")
def platform(service_config, start_module_service, token_keys):
    start_module_service(IdentityFake(elder_region=REGION).service_class(), service_config(None))
    start_module_service(service_class("demand"), service_config(
        "demand", REVIEW_ESCALATION_SECONDS=0.5,
        REVIEW_ESCALATION_CHECK_SECONDS=0.2))
    cfg = service_config(None, RPC_TIMEOUT_SECONDS=10, STRICT_RESPONSES=True)
    start_module_service(GatewayService, cfg)
    private = open(token_keys["JWT_PRIVATE_KEY_FILE"], "rb").read()

    def headers(person_id, roles, scope=None, carrier_id=None, client_id=None):
        caller = Caller(person_id, tuple(roles), scope, carrier_id, client_id)
        return {"Authorization": f"Bearer {issue_access_token(private, caller, 300)}"}

    return f"http://{cfg['WEB_SERVER_ADDRESS']}", headers


@pytest.fixture(scope="module")
def people(platform):
    _, headers = platform
    return {
        "province": headers("pa-1", ["province_admin"], "130000000000"),
        "township": headers("tw-1", ["township_admin"], "130102001000"),
        "operator": headers("op-1", ["station_operator"], "130102001000", "carrier-7"),
        "volunteer": headers("v-1", ["volunteer"]),
        "client": headers(None, ["api_client"], "130100000000", client_id="sjz"),
        "city": headers("ca-1", ["city_admin"], "130100000000"),
    }


def submission(**changes):
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    data = {"elder_id": str(uuid.uuid4()), "category": "emotional_comfort",
            "description": "陪老人聊天", "address": "石家庄市长安区建设北大街12号",
            "window_start": start.isoformat(),
            "window_end": (start + dt.timedelta(hours=2)).isoformat(),
            "expected_minutes": 60, "channel": "api"}
    data.update(changes)
    return data


def test_catalogue_is_edited_by_province_admins_only(platform, people):
    base, _ = platform
    page = requests.get(f"{base}/api/v1/catalog", headers=people["volunteer"], timeout=10)
    assert page.status_code == 200
    assert "家政" in page.json()["not_offered"]["zh"]
    code = f"chess_{uuid.uuid4().hex[:6]}"
    body = {"code": code, "name_zh": "象棋对弈", "name_en": "Chinese chess", "default_minutes": 90}
    refused = requests.post(f"{base}/api/v1/catalog", json=body, headers=people["operator"],
                            timeout=10)
    assert refused.status_code == 403 and refused.json()["error"] == "role_required"
    made = requests.post(f"{base}/api/v1/catalog", json=body, headers=people["province"], timeout=10)
    assert made.status_code == 201, made.text
    changed = requests.patch(f"{base}/api/v1/catalog/{code}", json={"active": False},
                             headers=people["province"], timeout=10)
    assert changed.status_code == 200 and changed.json()["active"] is False
    bad = requests.patch(f"{base}/api/v1/catalog/{code}", json={"default_minutes": "lots"},
                         headers=people["province"], timeout=10)
    assert bad.status_code == 400
    history = requests.get(f"{base}/api/v1/catalog/history?code={code}",
                           headers=people["province"], timeout=10).json()["items"]
    assert [h["action"] for h in history] == ["deactivate", "create"]


def test_api_client_submits_operator_adjusts_and_reviews(platform, people):
    base, _ = platform
    made = requests.post(f"{base}/api/v1/demands", json=submission(), headers=people["client"],
                         timeout=10)
    assert made.status_code == 201, made.text
    demand_id = made.json()["demand_id"]
    adjusted = requests.post(f"{base}/api/v1/demands/{demand_id}/adjust",
                             json={"address": "石家庄市长安区建设北大街14号", "reason": "电话核实地址"},
                             headers=people["operator"], timeout=10)
    assert adjusted.status_code == 200, adjusted.text
    assert adjusted.json()["changes"][0]["field"] == "address"
    no_reason = requests.post(f"{base}/api/v1/demands/{demand_id}/adjust",
                              json={"address": "别处"}, headers=people["operator"], timeout=10)
    assert no_reason.status_code == 400
    reviewed = requests.post(f"{base}/api/v1/demands/{demand_id}/review", json={
        "decision": "approve",
        "adjust": {"expected_minutes": 90, "reason": "老人希望多陪一会"}},
        headers=people["operator"], timeout=10)
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["status"] == "published" and len(reviewed.json()["changes"]) == 2
    again = requests.post(f"{base}/api/v1/demands/{demand_id}/adjust",
                          json={"description": "改", "reason": "晚了"},
                          headers=people["operator"], timeout=10)
    assert again.status_code == 409 and again.json()["error"] == "invalid_transition"
    shown = requests.get(f"{base}/api/v1/demands/{demand_id}", headers=people["operator"],
                         timeout=10).json()
    assert [c["field"] for c in shown["changes"]] == ["address", "expected_minutes"]


def test_the_demand_list_over_http_with_its_filters(platform, people):
    """``GET /api/v1/demands`` passes the gateway's filters (status, region_code, category)
    on to demand's ``list``, which accepts every one of them."""
    base, _ = platform
    made = requests.post(f"{base}/api/v1/demands", json=submission(category="assistance"),
                         headers=people["operator"], timeout=10)
    assert made.status_code == 201, made.text
    url = f"{base}/api/v1/demands"
    every = requests.get(url, headers=people["operator"], timeout=10)
    assert every.status_code == 200, every.text
    assert made.json()["demand_id"] in [d["demand_id"] for d in every.json()["items"]]
    kind = requests.get(url, params={"category": "assistance", "status": "submitted",
                                     "region_code": REGION, "page_size": 100},
                        headers=people["operator"], timeout=10)
    assert kind.status_code == 200, kind.text
    assert {d["category"] for d in kind.json()["items"]} == {"assistance"}
    assert made.json()["demand_id"] in [d["demand_id"] for d in kind.json()["items"]]
    none = requests.get(url, params={"category": "legal_aid"}, headers=people["operator"],
                        timeout=10)
    assert none.status_code == 200 and made.json()["demand_id"] not in [
        d["demand_id"] for d in none.json()["items"]]
    bad = requests.get(url, params={"status": "finished"}, headers=people["operator"],
                       timeout=10)
    assert bad.status_code == 400  # not a status of DESIGN.md §5


def test_township_sees_escalations_of_unreviewed_demands(platform, people):
    base, _ = platform
    made = requests.post(f"{base}/api/v1/demands", json=submission(),
                         headers=people["client"], timeout=10).json()
    url = f"{base}/api/v1/demands/escalations"
    for _ in range(100):
        items = requests.get(url, headers=people["township"], timeout=10).json()["items"]
        if made["demand_id"] in [e["demand_id"] for e in items]:
            break
        eventlet.sleep(0.1)
    else:
        pytest.fail("no escalation")
    assert requests.get(url, headers=people["operator"], timeout=10).status_code == 403
    outside = requests.get(f"{url}?region_code=130104000000", headers=people["township"], timeout=10)
    assert outside.status_code == 403 and outside.json()["error"] == "out_of_scope"


def test_recurring_demand_is_created_listed_and_cancelled(platform, people):
    base, _ = platform
    today = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date()
    body = {"elder_id": str(uuid.uuid4()), "category": "emotional_comfort",
            "description": "每周二、周五上门陪伴", "address": "石家庄市长安区建设北大街12号",
            "frequency": "weekly", "weekdays": [2, 5], "start_date": today.isoformat(),
            "end_date": (today + dt.timedelta(days=60)).isoformat(), "time_of_day": "15:00",
            "window_minutes": 120, "expected_minutes": 90, "channel": "phone"}
    made = requests.post(f"{base}/api/v1/demand-series", json=body, headers=people["operator"],
                         timeout=10)
    assert made.status_code == 201, made.text
    series = made.json()
    assert len([o for o in series["occurrences"] if o["demand_id"]]) >= 3
    listed = requests.get(f"{base}/api/v1/demand-series", headers=people["operator"], timeout=10)
    assert series["series_id"] in [s["series_id"] for s in listed.json()["items"]]
    one = requests.get(f"{base}/api/v1/demand-series/{series['series_id']}",
                       headers=people["operator"], timeout=10)
    assert one.status_code == 200 and one.json()["series_id"] == series["series_id"]
    stopped = requests.post(f"{base}/api/v1/demand-series/{series['series_id']}/cancel",
                            json={"reason": "老人住院"}, headers=people["operator"], timeout=10)
    assert stopped.status_code == 200 and stopped.json()["status"] == "cancelled"
    assert {o["status"] for o in stopped.json()["occurrences"] if o["demand_id"]} == {"cancelled"}
    bad = requests.post(f"{base}/api/v1/demand-series", json={**body, "weekdays": []},
                        headers=people["operator"], timeout=10)
    assert bad.status_code == 400 and bad.json()["error"] == "weekdays_invalid"


def test_stats_do_not_scan_demand_and_list_what_did_not_answer(platform, people):
    """demand runs here, reporting does not: the ``demand`` section is reporting's
    (``demand_figures``, from demand's events), so it is null and listed, demand's
    ``demand_stats`` not asked."""
    base, _ = platform
    requests.post(f"{base}/api/v1/demands", json=submission(), headers=people["client"], timeout=10)
    resp = requests.get(f"{base}/api/v1/stats?region=130102000000", headers=people["city"],
                        timeout=10)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["demand"] is None and body["matching"] is None
    # not running in this module
    assert body["ledger"] is None and body["reporting"] is None
    assert body["unavailable"] == ["reporting", "ledger", "demand", "matching"]
    assert SupervisionStatsOut().validate(body) == {}  # the whole answer, as declared


def test_openapi_lists_the_intake_routes_and_says_what_is_not_offered(platform):
    base, _ = platform
    spec = requests.get(f"{base}/openapi.json", timeout=10).json()
    for path in ("/api/v1/catalog", "/api/v1/catalog/{code}", "/api/v1/demands/{demand_id}/adjust",
                 "/api/v1/demands/escalations", "/api/v1/demand-series",
                 "/api/v1/demand-series/{series_id}/cancel"):
        assert path in spec["paths"], path
    submit = spec["paths"]["/api/v1/demands"]["post"]["requestBody"]["content"]["application/json"]
    name = submit["schema"]["$ref"].rsplit("/", 1)[1]
    assert "家政" in spec["components"]["schemas"][name]["properties"]["category"]["description"]
