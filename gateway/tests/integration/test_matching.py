"""Candidates, feed, dispatch and matching statistics through the gateway, on live data: the
real matching service (PostgreSQL, RabbitMQ) fed by identity and demand events; demand's
``assign`` is a stand-in that records what it was asked, and identity the shared
``IdentityFake``."""
import datetime as dt
import uuid
from functools import partial

import pytest
import requests
from timebank_testing import wait_for as shared_wait_for
from timebank_testing.identity_fake import IdentityFake

from gateway.openapi import build
from gateway.service import GatewayService
from timebank_common.caller import Caller
from timebank_common.db import make_event
from timebank_common.runner import service_class
from timebank_common.tokens import issue_access_token

from . import examples
from .stand_ins import answers_as

REGION = "130102001001"
wait_for = partial(shared_wait_for, timeout=10.0)
ASSIGNED = []


class StandInDemand:
    name = "demand"

    @answers_as("demand")
    def catalog(self):
        return [examples.category(code="companionship", name_zh="陪伴", name_en="Companionship"),
                examples.category(code="home_care", name_zh="居家照护", name_en="Home care",
                                  professional=True, qualifications=["nurse"])]

    @answers_as("demand")
    def assign(self, caller, demand_id, volunteer_id):
        ASSIGNED.append((caller["person_id"], demand_id, volunteer_id))
        return examples.demand(demand_id=demand_id, assignments=[examples.assignment(
            volunteer_id=volunteer_id, assigned_by=caller["person_id"])])


@pytest.fixture(scope="module")
def live(service_config, start_module_service, token_keys):
    start_module_service(service_class("matching"), service_config("matching"))
    start_module_service(StandInDemand, service_config(None))
    start_module_service(IdentityFake().service_class(), service_config(None))
    cfg = service_config(None, RPC_TIMEOUT_SECONDS=5, STRICT_RESPONSES=True)
    start_module_service(GatewayService, cfg)
    private = open(token_keys["JWT_PRIVATE_KEY_FILE"], "rb").read()

    def token(person_id, role, scope):
        return {"Authorization": "Bearer " + issue_access_token(
            private, Caller(person_id, (role,), scope), 300)}
    return f"http://{cfg['WEB_SERVER_ADDRESS']}", token


def test_candidates_feed_dispatch_and_stats_over_http(live, event_bus):
    base, token = live
    operator = token("op-1", "station_operator", "130102001000")
    admin = token("adm-1", "county_admin", "130102000000")
    vid = str(uuid.uuid4())
    volunteer = token(vid, "volunteer", REGION)
    event_bus.publish("identity", make_event("volunteer_eligible", {
        "person_id": vid, "region_code": REGION, "qualifications": []}, REGION))
    resp = requests.put(f"{base}/api/v1/volunteers/{vid}/matching-preferences", headers=volunteer,
                        json={"home": {"lat": 38.041, "lng": 114.51}, "radius_km": 5,
                              "availability": []}, timeout=10)
    assert resp.status_code == 200, resp.text
    bad = requests.put(f"{base}/api/v1/volunteers/{vid}/matching-preferences", headers=volunteer,
                       json={"home": {"lat": 38.0}, "radius_km": 500}, timeout=10)
    assert bad.status_code == 400

    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).replace(minute=0, second=0,
                                                                     microsecond=0)
    demand_id = str(uuid.uuid4())
    event_bus.publish("demand", make_event("demand_published", {
        "demand_id": demand_id, "elder_id": "e-1", "category": "companionship",
        "region_code": REGION, "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(hours=1)).isoformat(), "expected_minutes": 60,
        "volunteers_needed": 1, "location": {"lat": 38.04, "lng": 114.51}}, REGION))

    url = f"{base}/api/v1/demands/{demand_id}/candidates"
    wait_for(lambda: requests.get(url, headers=operator, timeout=10).status_code == 200
             and vid in [c["volunteer_id"] for c in
                         requests.get(url, headers=operator, timeout=10).json()["items"]])
    best = requests.get(url, headers=operator, timeout=10).json()["items"][0]
    assert set(best["parts"]) == {"distance", "reliability", "rating", "fairness", "continuity"}
    assert requests.get(url, headers=volunteer, timeout=10).status_code == 403

    feed = requests.get(f"{base}/api/v1/volunteers/{vid}/feed", headers=volunteer, timeout=10)
    assert demand_id in [i["demand_id"] for i in feed.json()["items"]]

    outside = requests.post(f"{base}/api/v1/dispatch", headers=operator,
                            json={"region_code": "130104001000"}, timeout=10)
    assert outside.status_code == 403
    run = requests.post(f"{base}/api/v1/dispatch", headers=operator,
                        json={"region_code": REGION, "auto_apply": False}, timeout=30)
    assert run.status_code == 200, run.text
    mine = [p for p in run.json()["proposals"] if p["demand_id"] == demand_id]
    assert mine and mine[0]["status"] == "held"
    held = requests.get(f"{base}/api/v1/dispatch/proposals", headers=operator, timeout=10).json()
    assert mine[0]["proposal_id"] in [p["proposal_id"] for p in held]
    decided = requests.post(
        f"{base}/api/v1/dispatch/proposals/{mine[0]['proposal_id']}/decision", headers=operator,
        json={"decision": "approve"}, timeout=10)
    assert decided.status_code == 200 and decided.json()["status"] == "applied"
    assert ("op-1", demand_id, mine[0]["volunteer_id"]) in ASSIGNED

    setting = requests.put(f"{base}/api/v1/dispatch/settings/130102000000", headers=operator,
                           json={"auto_apply": True}, timeout=10)
    assert setting.status_code == 403

    # supervision's matching figures are reporting's (from matching's events), not
    # matching_stats: reporting does not run here, so the section is null and listed
    stats = requests.get(f"{base}/api/v1/stats?region=130102000000", headers=admin, timeout=15)
    assert stats.status_code == 200, stats.text
    assert stats.json()["matching"] is None and "matching" in stats.json()["unavailable"]


def test_staff_of_another_city_neither_read_nor_overwrite_a_volunteers_home(live, event_bus):
    """Issue 13's leak: answered as a volunteer nobody has (404), the home unchanged."""
    base, token = live
    vid = str(uuid.uuid4())
    volunteer = token(vid, "volunteer", REGION)
    tangshan = token("op-ts", "station_operator", "130202001000")
    event_bus.publish("identity", make_event("volunteer_eligible", {
        "person_id": vid, "region_code": REGION, "qualifications": []}, REGION))
    url = f"{base}/api/v1/volunteers/{vid}/matching-preferences"
    home = {"home": {"lat": 38.041, "lng": 114.51}, "radius_km": 5, "availability": []}
    wait_for(lambda: requests.put(url, headers=volunteer, json=home, timeout=10).status_code
             == 200)
    for answer in (requests.get(url, headers=tangshan, timeout=10),
                   requests.put(url, headers=tangshan, json={
                       **home, "home": {"lat": 39.63, "lng": 118.18}}, timeout=10)):
        assert answer.status_code == 404 and answer.json()["error"] == "volunteer_not_found"
    nobody = requests.get(f"{base}/api/v1/volunteers/{uuid.uuid4()}/matching-preferences",
                          headers=tangshan, timeout=10)
    assert nobody.status_code == 404 and nobody.json()["error"] == "volunteer_not_found"
    assert requests.get(url, headers=volunteer, timeout=10).json()["home"] == home["home"]


def test_matching_routes_are_in_the_openapi_document():
    paths = build("http://127.0.0.1:8000")["paths"]
    assert "get" in paths["/api/v1/demands/{demand_id}/candidates"]
    assert "get" in paths["/api/v1/volunteers/{volunteer_id}/feed"]
    assert "post" in paths["/api/v1/dispatch"]
    assert "post" in paths["/api/v1/dispatch/proposals/{proposal_id}/decision"]
    assert "put" in paths["/api/v1/volunteers/{volunteer_id}/matching-preferences"]
