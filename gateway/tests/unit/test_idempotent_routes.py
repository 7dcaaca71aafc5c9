"""Every HTTP create takes an Idempotency-Key (DESIGN.md §3): the route registry, the header's
validation, its OpenAPI entry and the replayed answer, without a broker."""
import json
from types import SimpleNamespace
from unittest.mock import Mock

import pytest
from werkzeug.test import EnvironBuilder

from gateway.openapi import build
from gateway.routing import ROUTES
from gateway.service import GatewayService as Gateway
from timebank_common import idempotency

ADMIN = {"person_id": "p-admin", "roles": ["province_admin"], "scope": "130000000000"}
CARRIER = {"name": "裕华站", "kind": "lei_feng_station", "region_code": "130102001001",
           "address": "育才街 1 号",
           "contact_name": "王芳", "contact_phone": "13800000001"}


def test_every_create_route_is_idempotent():
    """Every create of a known caller; keys are kept per caller. The one public create, interest
    in volunteering, has no caller to keep keys for: it is idempotent by its content instead
    (the same mobile and community while open answers the open registration)."""
    creates = [r for r in ROUTES if r.status == 201 and not r.public]
    assert len(creates) >= 19  # carriers … transfers: the registry, not a hand-kept list
    assert [(r.method, r.path) for r in creates if not r.idempotent] == []
    assert {r.method for r in creates} == {"POST"}
    record = next(r for r in ROUTES if r.openapi_path == "/api/v1/demands/{demand_id}/record")
    assert record.idempotent


def test_the_openapi_documents_the_key_on_every_idempotent_route():
    doc = build("http://127.0.0.1:8000")
    for route in (r for r in ROUTES if r.idempotent):
        operation = doc["paths"][route.openapi_path][route.method.lower()]
        [key] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
        assert key["in"] == "header" and key["schema"]["maxLength"] == 255
        assert "idempotency_key_reused" in key["description"]
        assert key["required"] is (route.path == "/api/v1/transfers")


def _gateway(**services):
    return SimpleNamespace(correlation_id="r-1", rpc_timeout=5,
                           authenticate=lambda request: ADMIN, **services)


def _request(body: dict, headers: dict):
    return EnvironBuilder(method="POST", json=body, headers=headers).get_request()


def _post_carrier(headers: dict, answer=None):
    identity = Mock()
    identity.register_carrier.return_value = answer
    response = Gateway.register_carrier(_gateway(identity=identity), _request(CARRIER, headers))
    return response, identity


@pytest.mark.parametrize("key", ["", " ", "a b", "ключ", "x" * 256, "tab\t"])
def test_a_malformed_key_is_refused_before_any_rpc(key):
    response, identity = _post_carrier({"Idempotency-Key": key})
    body = json.loads(response.get_data())
    assert (response.status_code, body["error"]) == (400, "idempotency_key_invalid")
    assert body["message"]["zh"] and body["message"]["en"]
    identity.register_carrier.assert_not_called()


def test_the_key_reaches_the_service_and_a_replay_is_marked():
    first = {"id": "c-1", **CARRIER}
    response, identity = _post_carrier({"Idempotency-Key": "k-1"},
                                       idempotency.envelope(first, False))
    assert identity.register_carrier.call_args.kwargs == {"idempotency_key": "k-1"}
    assert (response.status_code, json.loads(response.get_data())) == (201, first)
    assert "Idempotent-Replayed" not in response.headers

    response, _ = _post_carrier({"Idempotency-Key": "k-1"}, idempotency.envelope(first, True))
    assert (response.status_code, json.loads(response.get_data())) == (201, first)
    assert response.headers["Idempotent-Replayed"] == "true"


def test_without_a_key_the_service_is_asked_as_before():
    response, identity = _post_carrier({}, {"id": "c-2", **CARRIER})
    assert identity.register_carrier.call_args.kwargs == {"idempotency_key": None}
    assert response.status_code == 201 and json.loads(response.get_data())["id"] == "c-2"


def test_a_replayed_transfer_answers_the_first_status():
    gift = {"kind": "donation", "minutes": 30}
    posted = {"status": "posted", "transfer": {"id": "donation:p:k"}}
    ledger = Mock()
    ledger.give.return_value = idempotency.envelope(posted, True)
    fake = _gateway(ledger=ledger)
    response = Gateway.create_transfer(fake, _request(gift, {"Idempotency-Key": "k"}))
    assert (response.status_code, json.loads(response.get_data())) == (201, posted)
    assert response.headers["Idempotent-Replayed"] == "true"
    response = Gateway.create_transfer(fake, _request(gift, {}))
    assert json.loads(response.get_data())["error"] == "idempotency_key_required"


DEMAND_TRANSITIONS = ("review", "claim", "assign", "withdraw", "check-in", "check-out", "confirm",
                      "evaluate", "cancel")
DEMAND_ID = "5f0c8f7e-3a52-4c1b-9a8e-2b1d6f0e4a11"
VOLUNTEER = {"person_id": "p-vol", "roles": ["volunteer"], "scope": None}


def test_every_demand_transition_takes_a_key():
    """A client whose answer was lost retries a state change and gets its first answer, not
    409 because the demand already moved on."""
    actions = {r.openapi_path.rsplit("/", 1)[1]: r for r in ROUTES
               if r.method == "POST" and r.openapi_path.startswith("/api/v1/demands/{demand_id}/")}
    assert [a for a in DEMAND_TRANSITIONS if not actions[a].idempotent] == []


def test_a_retried_check_in_answers_the_first_answer_marked_replayed():
    first = {"demand_id": DEMAND_ID, "status": "in_service"}
    demand = Mock()
    fake = SimpleNamespace(correlation_id="r-1", rpc_timeout=5,
                           authenticate=lambda request: VOLUNTEER, demand=demand)
    here = {"lat": 38.05, "lng": 114.52}

    demand.check_in.return_value = idempotency.envelope(first, False)
    response = Gateway.check_in(fake, _request(here, {"Idempotency-Key": "in-1"}),
                                demand_id=DEMAND_ID)
    assert demand.check_in.call_args.kwargs == {"idempotency_key": "in-1"}
    assert (response.status_code, json.loads(response.get_data())) == (200, first)
    assert "Idempotent-Replayed" not in response.headers

    demand.check_in.return_value = idempotency.envelope(first, True)  # the service replays
    response = Gateway.check_in(fake, _request(here, {"Idempotency-Key": "in-1"}),
                                demand_id=DEMAND_ID)
    assert (response.status_code, json.loads(response.get_data())) == (200, first)
    assert response.headers["Idempotent-Replayed"] == "true"

    demand.check_in.return_value = {**first, "status": "awaiting_record"}
    response = Gateway.check_in(fake, _request(here, {}), demand_id=DEMAND_ID)
    assert demand.check_in.call_args.kwargs == {"idempotency_key": None}
    assert json.loads(response.get_data())["status"] == "awaiting_record"
    assert "Idempotent-Replayed" not in response.headers


def test_a_claim_takes_the_key_without_a_body():
    demand = Mock()
    demand.claim.return_value = idempotency.envelope({"demand_id": DEMAND_ID,
                                                      "status": "assigned"}, True)
    fake = SimpleNamespace(correlation_id="r-1", rpc_timeout=5,
                           authenticate=lambda request: VOLUNTEER, demand=demand)
    request = EnvironBuilder(method="POST", headers={"Idempotency-Key": "claim-1"}).get_request()
    response = Gateway.claim_demand(fake, request, demand_id=DEMAND_ID)
    assert demand.claim.call_args.args[1:] == (DEMAND_ID,)
    assert demand.claim.call_args.kwargs == {"idempotency_key": "claim-1"}
    assert (response.status_code, response.headers["Idempotent-Replayed"]) == (200, "true")
    assert json.loads(response.get_data())["status"] == "assigned"
