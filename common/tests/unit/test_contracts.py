"""``conforms``: what an RPC answers is checked against what it declares (in every test run)."""
import datetime as dt
import uuid

from marshmallow import Schema, fields

from timebank_common.contracts import EventContract, conforms


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
