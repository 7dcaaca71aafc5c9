"""``loads_back``: with ``CHECK_CONTRACTS: strict`` an answer must also load back with its
declared schema as a client (the gateway's strict mode) loads it: required keys present, nulls
only where allowed, validators met, nothing undeclared."""
import datetime as dt

from marshmallow import Schema, fields, validate

from timebank_common.service import loads_back


class Out(Schema):
    id = fields.String(required=True)
    at = fields.AwareDateTime(format="iso", required=True)
    closed_at = fields.AwareDateTime(format="iso", required=True, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(["open", "closed"]))


GOOD = {"id": "a", "at": dt.datetime(2026, 12, 7, tzinfo=dt.UTC), "closed_at": None,
        "status": "open"}


def test_an_exact_answer_loads_back_with_times_as_they_are_sent():
    assert loads_back(Out, GOOD) == []
    assert loads_back(Out(many=True), [GOOD, GOOD]) == []
    assert loads_back(None, None) == [] and loads_back(fields.Integer(), 3) == []


def test_a_null_not_allowed_a_value_outside_its_validator_and_an_extra_key_are_refused():
    problems = loads_back(Out, {**GOOD, "at": None, "status": "lost", "extra": 1})
    assert len(problems) == 1
    assert "'at'" in problems[0] and "'status'" in problems[0] and "'extra'" in problems[0]
    assert loads_back(Out, {k: v for k, v in GOOD.items() if k != "closed_at"}) != []
