"""The payloads of the 17 events notify consumes, as notify reads them, and the one way a
handler loads a received envelope.

These are notify's copies of its producers' schemas (demand, ledger, identity), kept in this
one place and held to the producers' own schemas by ``tests/integration/
test_contract_producers.py`` (each field read here must be one the producer puts in). They go
once the producers publish their payloads as ``EventContract``s in their contracts.
Unknown fields are excluded: producers may add fields.
"""
from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from ..app.received import Received


def received(schema: type[Schema], event: dict[str, Any]) -> Received:
    """The envelope's payload loaded with ``schema``; a malformed payload fails the handler
    (retried, then dead-lettered for a human)."""
    try:
        payload = schema().load(event.get("payload") or {})
    except ValidationError as exc:
        raise ValueError(f"{event.get('event_type')} payload invalid: {exc.messages}") from exc
    return Received(str(event["event_id"]), payload, event.get("region_code"))


class HoursCreditedEvent(Schema):
    """ledger ``hours_credited`` payload (docs/rpc-and-events.md)."""

    class Meta:
        unknown = EXCLUDE

    transfer_id = fields.String(required=True)
    person_id = fields.String(required=True)
    minutes = fields.Integer(required=True)
    balance_minutes = fields.Integer(required=True)
    kind = fields.String(load_default=None, allow_none=True)
    record_id = fields.String(load_default=None, allow_none=True)
    demand_id = fields.String(load_default=None, allow_none=True)


class DemandAssignedEvent(Schema):
    """demand ``demand_assigned`` payload; times stay ISO strings with offset."""

    class Meta:
        unknown = EXCLUDE

    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    elder_id = fields.String(load_default=None, allow_none=True)
    window_start = fields.String(required=True)
    window_end = fields.String(required=True)
    open_slots = fields.Integer(load_default=None, allow_none=True)


# --- events consumed with the channels (EXCLUDE: producers may add fields) ------------------
class _Event(Schema):
    class Meta:
        unknown = EXCLUDE


class DemandPublishedEvent(_Event):
    demand_id = fields.String(required=True)
    elder_id = fields.String(load_default=None, allow_none=True)
    category = fields.String(load_default=None, allow_none=True)
    region_code = fields.String(load_default=None, allow_none=True)
    window_start = fields.String(required=True)
    window_end = fields.String(required=True)
    location = fields.Raw(load_default=None, allow_none=True)


class DemandCancelledEvent(_Event):
    demand_id = fields.String(required=True)
    elder_id = fields.String(load_default=None, allow_none=True)
    reason = fields.String(load_default=None, allow_none=True)
    volunteer_ids = fields.List(fields.String(), load_default=list)
    window_start = fields.String(load_default=None, allow_none=True)
    window_end = fields.String(load_default=None, allow_none=True)


class ServiceRecordedEvent(_Event):
    record_id = fields.String(required=True)
    demand_id = fields.String(load_default=None, allow_none=True)
    volunteer_id = fields.String(required=True)
    elder_id = fields.String(load_default=None, allow_none=True)
    minutes = fields.Integer(required=True)


class HoursGivenEvent(_Event):
    transfer_id = fields.String(required=True)
    kind = fields.String(required=True,
                         validate=validate.OneOf(["gift_to_relative", "donation"]))
    from_person_id = fields.String(required=True)
    to_person_id = fields.String(load_default=None, allow_none=True)
    minutes = fields.Integer(required=True)


class MilestoneReachedEvent(_Event):
    person_id = fields.String(required=True)
    level = fields.Integer(required=True)
    cumulative_minutes = fields.Integer(required=True)
    transfer_id = fields.String(load_default=None, allow_none=True)


class CertificateIssuedEvent(_Event):
    number = fields.String(required=True)
    person_id = fields.String(required=True)
    period_from = fields.String(load_default=None, allow_none=True)
    period_to = fields.String(load_default=None, allow_none=True)
    total_minutes = fields.Integer(required=True)


class ReviewOverdueEvent(_Event):
    demand_id = fields.String(required=True)
    region_code = fields.String(load_default=None, allow_none=True)
    township_code = fields.String(load_default=None, allow_none=True)
    carrier_id = fields.String(load_default=None, allow_none=True)
    submitted_at = fields.String(required=True)
    escalated_at = fields.String(load_default=None, allow_none=True)


class DisputeOpenedEvent(_Event):
    dispute_id = fields.String(required=True)
    subject = fields.String(load_default=None, allow_none=True)
    record_id = fields.String(load_default=None, allow_none=True)
    demand_id = fields.String(load_default=None, allow_none=True)
    volunteer_id = fields.String(load_default=None, allow_none=True)
    elder_id = fields.String(load_default=None, allow_none=True)
    opened_by = fields.String(load_default=None, allow_none=True)
    opener_role = fields.String(load_default=None, allow_none=True)
    region_code = fields.String(required=True)


class DisputeResolvedEvent(_Event):
    """``volunteer_id``/``elder_id``/``opened_by``: who hears the outcome (older events
    without them: the parties notify remembered from ``service_recorded``/``dispute_opened``)."""

    dispute_id = fields.String(required=True)
    subject = fields.String(load_default=None, allow_none=True)
    record_id = fields.String(load_default=None, allow_none=True)
    demand_id = fields.String(load_default=None, allow_none=True)
    volunteer_id = fields.String(load_default=None, allow_none=True)
    elder_id = fields.String(load_default=None, allow_none=True)
    opened_by = fields.String(load_default=None, allow_none=True)
    outcome = fields.String(required=True)
    minutes = fields.Integer(load_default=None, allow_none=True)
    region_code = fields.String(load_default=None, allow_none=True)


class FollowUpOpenedEvent(_Event):
    """demand ``follow_up_opened``: a task for the station (a low score, or a record the
    elder has not confirmed)."""

    follow_up_id = fields.String(required=True)
    kind = fields.String(required=True)
    demand_id = fields.String(load_default=None, allow_none=True)
    record_id = fields.String(load_default=None, allow_none=True)
    evaluation_id = fields.String(load_default=None, allow_none=True)
    elder_id = fields.String(load_default=None, allow_none=True)
    volunteer_id = fields.String(load_default=None, allow_none=True)
    region_code = fields.String(required=True)
    carrier_id = fields.String(load_default=None, allow_none=True)
    score = fields.Integer(load_default=None, allow_none=True)


class ConfirmationOverdueEvent(_Event):
    """demand ``record_confirmation_overdue``: the elder has not confirmed a record."""

    record_id = fields.String(required=True)
    demand_id = fields.String(load_default=None, allow_none=True)
    elder_id = fields.String(required=True)
    volunteer_id = fields.String(load_default=None, allow_none=True)
    minutes = fields.Integer(load_default=None, allow_none=True)
    recorded_at = fields.String(required=True)
    region_code = fields.String(load_default=None, allow_none=True)
    carrier_id = fields.String(load_default=None, allow_none=True)


class AssignmentWithdrawnEvent(_Event):
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    reason = fields.String(load_default=None, allow_none=True)
    open_slots = fields.Integer(load_default=None, allow_none=True)
    region_code = fields.String(load_default=None, allow_none=True)


class AssignmentNoShowEvent(_Event):
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    elder_id = fields.String(load_default=None, allow_none=True)
    window_start = fields.String(required=True)
    region_code = fields.String(load_default=None, allow_none=True)


class VolunteerEligibleEvent(_Event):
    person_id = fields.String(required=True)
    region_code = fields.String(load_default=None, allow_none=True)


class ReasonText(_Event):
    code = fields.String(required=True)
    zh = fields.String(required=True)
    en = fields.String(required=True)


class VolunteerSuspendedEvent(_Event):
    person_id = fields.String(required=True)
    region_code = fields.String(load_default=None, allow_none=True)
    reasons = fields.List(fields.String(), load_default=list)
    reason_texts = fields.List(fields.Nested(ReasonText), load_default=list)


