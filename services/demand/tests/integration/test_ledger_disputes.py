"""End to end through real services: the station records, the elder confirms, the real
ledger credits the volunteer; a dispute adjusts the minutes and the ledger reverses the
difference exactly once, even when ``dispute_resolved`` is delivered twice.

Real demand and ledger containers (outbox relays on), PostgreSQL and RabbitMQ; ``identity``
is the shared ``IdentityFake`` (every elder in ``REGION``, every volunteer eligible)."""
import datetime as dt
import uuid
from functools import partial

import pytest
from prometheus_client import REGISTRY
from timebank_testing import wait_for as shared_wait_for
from timebank_testing.identity_fake import DEFAULT_REGION, IdentityFake

from demand.service import DemandService
from ledger.service import LedgerService

REGION = DEFAULT_REGION
TOWNSHIP_ADMIN = {"person_id": "adm-t", "roles": ["township_admin"], "scope": "130102001000"}
OPERATOR = {"person_id": "op-1", "roles": ["station_operator"], "scope": "130102001000",
            "carrier_id": "carrier-7"}
PLACE = {"lat": 38.05, "lng": 114.52}
wait_for = partial(shared_wait_for, timeout=20.0)


@pytest.fixture(scope="module")
def resolved_events(event_bus):
    return event_bus.listen("demand", "dispute_resolved")


@pytest.fixture(scope="module")
def running(service_config, start_module_service, resolved_events):
    start_module_service(IdentityFake().service_class(), service_config(None, max_workers=10))
    start_module_service(LedgerService, service_config("ledger", max_workers=10,
                                                       EVENT_DELIVERY_LIMIT=2))
    # the ledger's queues with the ledger modules' limit; demand's with the default like every
    # other demand container of the session (a queue's arguments cannot differ: 406)
    start_module_service(DemandService, service_config("demand", max_workers=10))


def handled(outcome):
    return REGISTRY.get_sample_value("timebank_events_handled_total", {
        "event_type": "dispute_resolved", "outcome": outcome}) or 0.0


def test_a_dispute_reduces_the_credited_balance_exactly_once(running, rpc, event_bus,
                                                               resolved_events):
    v = {"person_id": str(uuid.uuid4()), "roles": ["volunteer"], "scope": None}
    elder = {"person_id": str(uuid.uuid4()), "roles": ["elder"], "scope": None}
    start = dt.datetime.now(dt.UTC) + dt.timedelta(hours=24)
    with rpc("demand") as demand, rpc("ledger") as ledger:
        made = demand.submit(OPERATOR, {
            "elder_id": elder["person_id"], "category": "emotional_comfort",
            "description": "陪老人聊天", "address": "石家庄市长安区建设北大街12号",
            "location": PLACE, "window_start": start.isoformat(),
            "window_end": (start + dt.timedelta(hours=2)).isoformat(),
            "expected_minutes": 60, "channel": "phone"})
        demand.review(OPERATOR, made["demand_id"], {"decision": "approve"})
        demand.claim(v, made["demand_id"])
        now = dt.datetime.now(dt.UTC)
        demand.check_in(v, made["demand_id"], {"at": (now - dt.timedelta(minutes=70))
                                               .isoformat(), **PLACE})
        demand.check_out(v, made["demand_id"], {"at": (now - dt.timedelta(minutes=5))
                                                .isoformat()})
        record = demand.record(OPERATOR, made["demand_id"], {
            "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "app"})
        # the server's clock timed the check-in and out (the backdated device times are only
        # evidence): the presence is too short and skewed, so a second look releases it
        assert record["status"] == "held"
        assert {"device_time_skewed", "minutes_exceed_presence"} <= {
            f["code"] for f in record["flags"]}
        released = demand.release_record(TOWNSHIP_ADMIN, record["record_id"],
                                         {"reason": "电话核实服务时长"})
        assert released["status"] == "awaiting_confirmation"

        def earned():
            return ledger.balance(v, v["person_id"])["earned_minutes"]

        assert earned() == 0  # no hours before the elder confirms
        demand.confirm(elder, made["demand_id"], {})
        wait_for(lambda: earned() == 60)

        dispute = demand.open_dispute(elder, {"record_id": record["record_id"],
                                              "reason": "实际服务约 45 分钟"})
        duplicates = handled("duplicate")
        demand.resolve_dispute(OPERATOR, dispute["dispute_id"], {
            "outcome": "minutes_adjusted", "minutes": 45, "reason": "电话核实：45 分钟"})
        wait_for(lambda: earned() == 45)

        def the_event():
            resolved_events.drain(len(resolved_events.received) + 1, timeout=0.2)
            return [m for m in resolved_events.received
                    if m["payload"]["dispute_id"] == dispute["dispute_id"]]

        [envelope] = wait_for(the_event)
        event_bus.publish("demand", envelope)  # delivered a second time
        wait_for(lambda: handled("duplicate") == duplicates + 1)
        assert earned() == 45
        statement = ledger.statement(v, v["person_id"], {})
        entries = [(i["kind"], i["amount_minutes"], i["transfer_id"])
                   for i in statement["items"]]
        assert entries == [("reversal", -15, f"dispute:{dispute['dispute_id']}"),
                           ("service_credit", 60, f"service_record:{record['record_id']}")]
        assert ledger.verify_balances()["ok"]
