"""Recording, confirmation, evaluation, held records, follow-ups, evidence thresholds and
disputes through the gateway: a real gateway container calling a stand-in ``demand``
service over real RabbitMQ (the demand service's own tests cover the behaviour)."""
import uuid

import pytest
import requests

from gateway.openapi import build
from gateway.routing import ROUTES
from gateway.service import GatewayService
from timebank_common.caller import Caller
from timebank_common.errors import Conflict
from timebank_common.tokens import issue_access_token

from . import examples
from .stand_ins import answers_as

DEMAND_ID = str(uuid.uuid4())
ON_TIME, LATE = str(uuid.uuid4()), str(uuid.uuid4())  # volunteers: LATE claimed nothing
SEEN: dict = {}  # what the stand-in demand was asked
DISPUTE = examples.dispute(dispute_id=str(uuid.uuid4()), opened_by="elder-1",
                           steps=[examples.dispute_step(by="elder-1")])


class StandInDemand:
    name = "demand"

    @answers_as("demand")
    def confirm(self, caller, demand_id, data, idempotency_key=None):
        return [examples.record(demand_id=demand_id, status="sent",
                                confirmed_by=data.get("confirmed_by", "elder"))]

    @answers_as("demand", expected_exceptions=Conflict)
    def evaluate(self, caller, demand_id, data, idempotency_key=None):
        if data.get("score") == 1:
            raise Conflict("not_recorded", "服务记录完成后才能评价",
                           "A service can be evaluated once it is recorded")
        return examples.evaluation(demand_id=demand_id, score=data["score"],
                                   tags=data.get("tags", []), comment=data.get("comment", ""))

    @answers_as("demand")
    def record_group(self, caller, demand_id, data, idempotency_key=None):
        """``LATE`` claimed nothing: it fails."""
        entries = data["entries"]
        return {"recorded": [examples.record(record_id=f"r-{e['volunteer_id']}",
                                             demand_id=demand_id,
                                             volunteer_id=e["volunteer_id"],
                                             minutes=e["minutes"], status="awaiting_confirmation",
                                             confirmation=None, confirmed_by=None,
                                             confirmed_by_person=None, confirmed_at=None,
                                             sent_at=None)
                             for e in entries if e["volunteer_id"] != LATE],
                "failed": [examples.group_failure(e["volunteer_id"])
                           for e in entries if e["volunteer_id"] == LATE]}

    @answers_as("demand")
    def open_dispute(self, caller, data, idempotency_key=None):
        return {**DISPUTE, "reason": data["reason"], "opened_by": caller["person_id"]}

    @answers_as("demand")
    def list_disputes(self, caller, filters):
        SEEN["dispute_filters"] = filters
        return examples.page([DISPUTE])

    @answers_as("demand")
    def resolve_dispute(self, caller, dispute_id, data):
        return {**DISPUTE, "status": "resolved", "outcome": data["outcome"],
                "minutes": data.get("minutes"), "resolution_reason": data["reason"],
                "resolved_by": caller["person_id"], "resolved_at": examples.AT}

    @answers_as("demand")
    def evidence_policy(self, region_code, on_date=None):
        return examples.evidence_policy(region_code=region_code,
                                        values={"daily_max_minutes": 480})

    @answers_as("demand")
    def add_evidence_policy(self, caller, data, idempotency_key=None):
        row = examples.evidence_policy_row(region_code=data["region_code"],
                                           effective_from=data["effective_from"],
                                           values=data["values"], reason=data["reason"],
                                           created_by=caller["person_id"])
        return examples.evidence_policy(region_code=data["region_code"],
                                        values=data["values"], rows=[row])

    @answers_as("demand")
    def list_records(self, caller, filters):
        return examples.page([])


@pytest.fixture
def gateway(service_config, start_service, token_keys):
    start_service(StandInDemand, service_config(None))
    cfg = service_config(None, RPC_TIMEOUT_SECONDS=2, STRICT_RESPONSES=True)
    start_service(GatewayService, cfg)
    base = f"http://{cfg['WEB_SERVER_ADDRESS']}"
    private = open(token_keys["JWT_PRIVATE_KEY_FILE"], "rb").read()

    def call(method, path, who, **kwargs):
        token = issue_access_token(private, who, 60)
        return requests.request(method, f"{base}{path}", timeout=10,
                                headers={"Authorization": f"Bearer {token}"}, **kwargs)

    return call


ELDER = Caller("elder-1", ("elder",), None)
VOLUNTEER = Caller("vol-1", ("volunteer",), None)
OPERATOR = Caller("op-1", ("station_operator",), "130102001000")
CITY_ADMIN = Caller("adm-1", ("city_admin",), "130100000000")


def test_the_new_routes_are_in_the_openapi_document():
    paths = {(r.method, r.openapi_path) for r in ROUTES}
    for expected in [
        ("POST", "/api/v1/demands/{demand_id}/confirm"),
        ("POST", "/api/v1/demands/{demand_id}/evaluate"),
        ("POST", "/api/v1/demands/{demand_id}/record-group"),
        ("GET", "/api/v1/demands/{demand_id}/records"),
        ("GET", "/api/v1/records"), ("POST", "/api/v1/records/{record_id}/release"),
        ("POST", "/api/v1/records/{record_id}/reject"),
        ("GET", "/api/v1/follow-ups"), ("POST", "/api/v1/follow-ups/{follow_up_id}/close"),
        ("GET", "/api/v1/evaluation-tags"),
        ("GET", "/api/v1/evidence-policies"), ("POST", "/api/v1/evidence-policies"),
        ("GET", "/api/v1/disputes"), ("POST", "/api/v1/disputes"),
        ("GET", "/api/v1/disputes/{dispute_id}"), ("POST", "/api/v1/disputes/{dispute_id}/take"),
        ("POST", "/api/v1/disputes/{dispute_id}/comments"),
        ("POST", "/api/v1/disputes/{dispute_id}/resolve"),
    ]:
        assert expected in paths
    doc = build("http://127.0.0.1:8000")
    schemas = doc["components"]["schemas"]
    assert {"DemandResolveDispute", "DemandOpenDispute", "DemandEvaluate",
            "DemandConfirm"} <= set(schemas)
    assert "outcome" in schemas["DemandResolveDispute"]["required"]
    resolve = doc["paths"]["/api/v1/disputes/{dispute_id}/resolve"]["post"]
    assert "409" in resolve["responses"]


def test_the_elder_confirms_and_evaluates_through_the_gateway(gateway):
    resp = gateway("POST", f"/api/v1/demands/{DEMAND_ID}/confirm", ELDER, json={})
    assert resp.status_code == 200 and resp.json()[0]["status"] == "sent"
    resp = gateway("POST", f"/api/v1/demands/{DEMAND_ID}/evaluate", ELDER,
                   json={"score": 4, "tags": ["patient"], "comment": "很耐心"})
    assert resp.status_code == 200 and resp.json()["score"] == 4
    resp = gateway("POST", f"/api/v1/demands/{DEMAND_ID}/evaluate", ELDER, json={"score": 1})
    assert resp.status_code == 409 and resp.json()["error"] == "not_recorded"
    assert resp.json()["message"]["zh"]
    resp = gateway("POST", f"/api/v1/demands/{DEMAND_ID}/evaluate", ELDER,
                   json={"score": "five"})
    assert resp.status_code == 400  # refused by the schema, before any RPC


def test_group_recording_is_for_the_station_only_and_answers_201_like_record(gateway):
    path = f"/api/v1/demands/{DEMAND_ID}/record-group"
    body = {"entries": [{"volunteer_id": ON_TIME, "minutes": 60},
                        {"volunteer_id": LATE, "minutes": 60}], "confirmation": "phone"}
    resp = gateway("POST", path, VOLUNTEER, json=body)
    assert resp.status_code == 403 and resp.json()["error"] == "role_required"
    resp = gateway("POST", path, OPERATOR, json=body)
    assert resp.status_code == 201, resp.text  # records created, as POST .../record
    assert [r["volunteer_id"] for r in resp.json()["recorded"]] == [ON_TIME]
    assert resp.json()["failed"][0]["volunteer_id"] == LATE
    assert resp.headers["X-Request-Id"]
    resp = gateway("POST", path, OPERATOR, json={**body, "entries": body["entries"][1:]})
    assert resp.status_code == 200  # nobody recorded: nothing created
    assert resp.json()["recorded"] == [] and resp.json()["failed"][0]["volunteer_id"] == LATE


def test_the_openapi_document_gives_record_and_record_group_the_same_created_status():
    doc = build("http://127.0.0.1:8000")
    record = doc["paths"]["/api/v1/demands/{demand_id}/record"]["post"]["responses"]
    group = doc["paths"]["/api/v1/demands/{demand_id}/record-group"]["post"]["responses"]
    assert "201" in record and "201" in group and "200" not in record
    assert "content" in group["201"] and "Nobody recorded" in group["200"]["description"]


def test_disputes_open_list_and_resolve(gateway):
    resp = gateway("POST", "/api/v1/disputes", ELDER, json={"reason": "只服务了半小时"})
    assert resp.status_code == 400  # neither a record nor an evaluation
    resp = gateway("POST", "/api/v1/disputes", ELDER,
                   json={"record_id": str(uuid.uuid4()), "reason": "只服务了半小时"})
    assert resp.status_code == 201 and resp.json()["opened_by"] == "elder-1"
    resp = gateway("GET", "/api/v1/disputes?status=open", OPERATOR)
    assert resp.status_code == 200 and resp.json()["total"] == 1
    assert resp.json()["items"][0]["steps"][0]["step"] == "opened"
    resp = gateway("GET", "/api/v1/disputes?region_code=130200000000", OPERATOR)
    assert resp.status_code == 403 and resp.json()["error"] == "out_of_scope"
    # filters no database can take are refused before any RPC (the stand-in would answer 200)
    for query in ("demand_id=" + "-" * 36, "demand_id=not-a-demand", "page=99999999999999999999",
                  "region_code=130102001001%0A", "status=open%00"):
        resp = gateway("GET", f"/api/v1/disputes?{query}", OPERATOR)
        assert resp.status_code == 400, (query, resp.text)
        assert resp.json()["error"] in ("validation_failed", "invalid_characters")
    resp = gateway("GET", f"/api/v1/disputes?demand_id={DEMAND_ID.upper()}", OPERATOR)
    assert resp.status_code == 200
    assert SEEN["dispute_filters"]["demand_id"] == DEMAND_ID  # one canonical form
    path = f"/api/v1/disputes/{DISPUTE['dispute_id']}/resolve"
    body = {"outcome": "minutes_adjusted", "minutes": 30, "reason": "核实"}
    assert gateway("POST", path, VOLUNTEER, json=body).status_code == 403
    resp = gateway("POST", path, OPERATOR, json=body)
    assert resp.status_code == 200 and resp.json()["outcome"] == "minutes_adjusted"
    resp = gateway("POST", path, OPERATOR, json={"outcome": "forgiven", "reason": "x"})
    assert resp.status_code == 400


def test_evidence_thresholds_are_read_by_staff_and_set_by_province_or_city(gateway):
    resp = gateway("GET", "/api/v1/evidence-policies?region_code=130102001001", OPERATOR)
    assert resp.status_code == 200 and resp.json()["values"]["daily_max_minutes"] == 480
    body = {"region_code": "130100000000", "effective_from": "2030-01-01",
            "values": {"daily_max_minutes": 360}, "reason": "试点"}
    assert gateway("POST", "/api/v1/evidence-policies", OPERATOR, json=body).status_code == 403
    other = dict(body, region_code="130200000000")
    resp = gateway("POST", "/api/v1/evidence-policies", CITY_ADMIN, json=other)
    assert resp.status_code == 403 and resp.json()["error"] == "out_of_scope"
    resp = gateway("POST", "/api/v1/evidence-policies", CITY_ADMIN, json=body)
    assert resp.status_code == 201 and resp.json()["values"] == {"daily_max_minutes": 360}
    resp = gateway("GET", "/api/v1/records?status=held", OPERATOR)
    assert resp.status_code == 200 and resp.json()["total"] == 0
