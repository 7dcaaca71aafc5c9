"""The events matching consumes from identity and demand, as matching reads them: its local
copies of the producers' payload schemas, kept in this one place until they are replaced by
the producers' contracts (``identity.contracts``, ``demand.contracts``).

Each schema keeps only the fields matching uses and ignores the others (``EXCLUDE``).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from ..contracts import REGION_CODE


def _time(**kwargs: Any) -> fields.AwareDateTime:
    return fields.AwareDateTime(format="iso", **kwargs)


class _Event(Schema):
    class Meta:
        unknown = EXCLUDE


class Envelope(_Event):
    event_id = fields.String(required=True)
    occurred_at = _time(required=True)


def read(schema: Schema, event: dict[str, Any]) -> tuple[dict[str, Any], dt.datetime]:
    """(payload, occurred_at) of an event, validated; a malformed event fails, is retried,
    then dead-lettered."""
    try:
        payload: dict[str, Any] = schema.load(event.get("payload") or {})
        envelope: dict[str, Any] = Envelope().load(event)
    except ValidationError as exc:
        raise ValueError(f"{event.get('event_type')} event invalid: {exc.messages}") from exc
    return payload, envelope["occurred_at"]


# --- demand ----------------------------------------------------------------------------------
class Location(_Event):
    lat = fields.Float(required=True)
    lng = fields.Float(required=True)


class DemandPublishedEvent(_Event):
    demand_id = fields.String(required=True)
    elder_id = fields.String(required=True)
    category = fields.String(required=True)
    region_code = fields.String(required=True, validate=REGION_CODE)
    window_start = _time(required=True)
    window_end = _time(required=True)
    expected_minutes = fields.Integer(required=True)
    volunteers_needed = fields.Integer(required=True, validate=validate.Range(min=1))
    location = fields.Nested(Location, load_default=None, allow_none=True)
    qualifications = fields.List(fields.String(), load_default=list)  # the category's required kinds
    priority = fields.Boolean(load_default=False)  # a priority (hardship) elder


class DemandAssignedEvent(_Event):
    demand_id = fields.String(required=True)
    open_slots = fields.Integer(required=True, validate=validate.Range(min=0))
    volunteer_id = fields.String(load_default=None)
    window_start = _time(load_default=None)
    window_end = _time(load_default=None)


class DemandCancelledEvent(_Event):
    demand_id = fields.String(required=True)


class DemandStartedEvent(_Event):
    """The first check-in (possibly before the window): no more volunteers for the demand."""
    demand_id = fields.String(required=True)
    open_slots = fields.Integer(load_default=0, validate=validate.Range(min=0))


class AssignmentEndedEvent(_Event):
    """``assignment_withdrawn`` / ``assignment_no_show``."""
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    open_slots = fields.Integer(load_default=None, validate=validate.Range(min=0))


class ServiceRecordedEvent(_Event):
    record_id = fields.String(required=True)
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    elder_id = fields.String(load_default=None)
    minutes = fields.Integer(required=True, validate=validate.Range(min=0))
    recorded_at = _time(load_default=None)


class EvaluationSubmittedEvent(_Event):
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    elder_id = fields.String(required=True)
    score = fields.Integer(required=True, validate=validate.Range(min=1, max=5))


# --- identity --------------------------------------------------------------------------------
class VolunteerEligibleEvent(_Event):
    person_id = fields.String(required=True)
    region_code = fields.String(required=True, validate=REGION_CODE)
    qualifications = fields.List(fields.String(), load_default=None)  # valid kinds, when sent


class VolunteerSuspendedEvent(_Event):
    person_id = fields.String(required=True)
    region_code = fields.String(required=True, validate=REGION_CODE)


class QualificationEvent(_Event):
    """``qualification_expired`` (kind removed) / ``qualification_verified`` (kind added)."""
    person_id = fields.String(required=True)
    kind = fields.String(required=True)


class ElderPriorityGrantedEvent(_Event):
    person_id = fields.String(required=True)
