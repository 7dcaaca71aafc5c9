"""``conforms``: what an RPC answers is checked against what it declares (in every test run)."""
import datetime as dt
import uuid

import pytest
from marshmallow import Schema, fields, validate

from timebank_common.contracts import EventContract, conforms
from timebank_common.errors import BadInput


class Slot(Schema):
    volunteer_id = fields.UUID(required=True)
    minutes = fields.Integer()


class DemandOut(Schema):
    demand_id = fields.UUID(required=True)
    status = fields.String()
    window_start = fields.DateTime()
    urgent = fields.Boolean()
    slots = fields.List(fields.Nested(Slot))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    secret = fields.String(load_only=True)
    extra = fields.Raw()


GOOD = {"demand_id": str(uuid.uuid4()), "status": "published",
        "window_start": "2026-06-15T10:00:00+08:00", "urgent": False,
        "slots": [{"volunteer_id": str(uuid.uuid4()), "minutes": 90}],
        "counts": {"a": 1}, "extra": {"anything": [1, "x"]}}


def test_an_answer_that_matches_its_schema_conforms():
    assert conforms(DemandOut, GOOD) == []
    assert conforms(DemandOut(), {**GOOD, "window_start": dt.datetime.now(dt.UTC)}) == []
    assert conforms(DemandOut, {**GOOD, "status": None, "slots": None}) == []


def test_undeclared_keys_missing_required_keys_and_wrong_types_are_named():
    bad = {**GOOD, "colour": "red", "urgent": "no", "counts": {"a": "1"}}
    bad.pop("demand_id")
    bad["slots"] = [{"minutes": 1.5}]
    assert sorted(conforms(DemandOut, bad)) == sorted([
        "answer.colour: not declared in DemandOut",
        "answer.demand_id: required by DemandOut, missing",
        "answer.urgent: expected a boolean, got str",
        "answer.slots[0].volunteer_id: required by Slot, missing",
        "answer.slots[0].minutes: expected an integer, got float",
        "answer.counts.a: expected an integer, got str",
    ])


def test_a_load_only_field_is_not_part_of_an_answer():
    assert conforms(DemandOut, {**GOOD, "secret": "x"}) == \
        ["answer.secret: not declared in DemandOut"]


def test_lists_fields_and_nothing():
    assert conforms(DemandOut(many=True), [GOOD, GOOD]) == []
    assert conforms(DemandOut(many=True), GOOD) == ["answer: expected a list, got dict"]
    assert conforms(fields.Boolean(), True) == []
    assert conforms(fields.Boolean(), 1) == ["answer: expected a boolean, got int"]
    assert conforms(fields.List(fields.String()), ["a", "b"]) == []
    assert conforms(None, None) == []
    assert conforms(None, {}) == ["answer: declared to answer nothing, got dict"]
    assert conforms(fields.Integer(), True) == ["answer: expected an integer, got bool"]


class Cancelled(Schema):
    demand_id = fields.UUID(required=True)
    at = fields.DateTime(required=True)


CANCELLED = EventContract("demand", "demand_cancelled", Cancelled, "A demand was cancelled")


def test_an_event_contract_dumps_for_the_producer_and_loads_for_consumers():
    demand_id = uuid.uuid4()
    at = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)
    payload = CANCELLED.dump({"demand_id": demand_id, "at": at})
    assert payload == {"demand_id": str(demand_id), "at": "2026-06-15T02:00:00+00:00"}
    # a consumer of version 1 ignores what a later producer added
    assert CANCELLED.load({**payload, "reason": "expired"}) == {"demand_id": demand_id, "at": at}


class Recorded(Schema):
    record_id = fields.String(required=True)
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    elder_id = fields.String(load_default=None)


RECORDED = EventContract("demand", "service_recorded", Recorded, "A service was recorded")


def make_event(event_type, payload, region_code):
    """An envelope as the kit's outbox writes it (``timebank_common.db.make_event``)."""
    return {"event_id": str(uuid.uuid4()), "event_type": event_type,
            "occurred_at": dt.datetime.now(dt.UTC).isoformat(), "v": 1,
            "region_code": region_code, "payload": payload}


def test_a_handler_reads_the_envelope_with_the_producers_contract():
    event = make_event("service_recorded", {"record_id": "r1", "minutes": 30, "later": 1},
                       "130102001001")
    received = RECORDED.load_event(event)
    assert received["payload"] == {"record_id": "r1", "minutes": 30, "elder_id": None}
    assert received["occurred_at"] == dt.datetime.fromisoformat(event["occurred_at"])
    assert received["occurred_at"].tzinfo is not None
    assert {k: v for k, v in received.items() if k not in ("payload", "occurred_at")} == {
        k: v for k, v in event.items() if k not in ("payload", "occurred_at")}
    assert event["payload"]["later"] == 1  # the envelope received is left as it was


@pytest.mark.parametrize("payload", [None, {"record_id": "r1"},
                                     {"record_id": "r1", "minutes": 0},
                                     {"record_id": "r1", "minutes": "30"}])
def test_a_payload_the_producers_contract_refuses_is_bad_input(payload):
    event = {**make_event("service_recorded", {}, None), "payload": payload}
    with pytest.raises(BadInput) as refused:
        RECORDED.load_event(event)
    assert refused.value.code == "validation_failed"
    assert "minutes" in refused.value.details


@pytest.mark.parametrize("occurred_at", [None, "2026-06-15T10:00:00", "yesterday"])
def test_an_envelope_without_an_aware_time_is_bad_input(occurred_at):
    event = {**make_event("service_recorded", {"record_id": "r1", "minutes": 30}, None),
             "occurred_at": occurred_at}
    with pytest.raises(BadInput) as refused:
        RECORDED.load_event(event)
    assert list(refused.value.details) == ["occurred_at"]
