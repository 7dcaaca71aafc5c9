"""The events the demand service produces (exchange ``demand.events``, via its outbox): each
payload schema once, its ``EventContract`` and the ``EVENTS`` tuple. Consumers import these.

Each schema's field names are the payload's keys (a consumer's ``CONTRACT.load(payload)``
gives back the same keys); the producer builds the payload as a dict of those names.

What consumers rely on is stated here, once: ``required`` fields, validators (a consumer's
``CONTRACT.load_event(event)`` refuses a payload that breaks them, so the event is retried and
dead-lettered, never applied) and ``load_default`` (what an absent optional field means).
Validators and load defaults change nothing in what demand publishes (``dump``)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from timebank_common.contracts import EventContract

from .demands import DemandChangeOut
from .enums import FUNDING_SOURCES, OUTCOMES, REGION_CODE

ID = validate.Length(min=1, max=64)  # demand's ids and the person ids it names
RESERVATION_ID = validate.Length(min=1, max=200)  # the ledger's transfer ids


def _time(required: bool = False) -> fields.AwareDateTime:
    """An instant, published as ISO 8601 with its offset (DESIGN.md §3)."""
    return fields.AwareDateTime(format="iso", required=required)


def _optional(field: type[fields.String] | type[fields.Integer] = fields.String
              ) -> fields.Field[Any]:
    """A field a consumer may find absent (then null)."""
    return field(load_default=None)


def _coordinates(location: Mapping[str, Any] | None) -> None:
    """``lat`` and ``lng`` come together, as numbers on the globe (a consumer may show other
    keys, such as a place's ``address`` or ``name``, when there are any)."""
    if location is None or not ({"lat", "lng"} & set(location)):
        return
    for key, limit in (("lat", 90), ("lng", 180)):
        value = location.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not -limit <= value <= limit:
            raise ValidationError(f"{key}: a number from -{limit} to {limit}, with its pair")


# --- a demand's lifecycle -----------------------------------------------------------------------
class DemandSubmittedEvent(Schema):
    demand_id = fields.String()
    elder_id = fields.String()
    category = fields.String()
    region_code = fields.String()
    channel = fields.String()
    window_start = fields.DateTime(format="iso")
    window_end = fields.DateTime(format="iso")
    expected_minutes = fields.Integer()
    volunteers_needed = fields.Integer()
    # who pays, as chosen at submission, and who chose it (null: nobody chose, the default);
    # absent from events published before they were added (reporting's funding figures)
    funding_source = fields.String(load_default=None, allow_none=True)
    funding_chosen_by = fields.String(load_default=None, allow_none=True)


class DemandPublishedEvent(Schema):
    """A demand reviewed and open to volunteers (matching takes a category's required
    qualifications from the catalogue, priority elders from identity's
    ``elder_priority_granted``)."""

    demand_id = fields.String(required=True)
    elder_id = fields.String(required=True)
    category = fields.String(required=True)
    region_code = fields.String(required=True, validate=REGION_CODE)
    window_start = _time(required=True)
    window_end = _time(required=True)
    expected_minutes = fields.Integer(required=True)
    volunteers_needed = fields.Integer(required=True, validate=validate.Range(min=1))
    location = fields.Dict(load_default=None, allow_none=True, validate=_coordinates,
                           metadata={"description": "{lat, lng}, or null"})
    # when the elder submitted it and when it was published (reporting's waiting times);
    # absent from events published before they were added: null
    submitted_at = fields.AwareDateTime(format="iso", load_default=None, allow_none=True)
    published_at = fields.AwareDateTime(format="iso", load_default=None, allow_none=True)
    # the fallback to issuance agreed at review (null: none) and the minutes the chosen source
    # lacked then (reporting's funding figures; absent before they were added: null)
    fallback_reason = fields.String(load_default=None, allow_none=True,
                                    validate=validate.Length(max=500))
    funding_shortfall_minutes = fields.Integer(load_default=None, allow_none=True)


class DemandRejectedEvent(Schema):
    demand_id = fields.String()
    elder_id = fields.String()
    region_code = fields.String()
    reason = fields.String()


class DemandAdjustedEvent(Schema):
    demand_id = fields.String()
    elder_id = fields.String()
    region_code = fields.String()
    changes = fields.List(fields.Nested(DemandChangeOut))
    reason = fields.String()
    changed_by = fields.String()
    changed_at = fields.DateTime(format="iso")


class DemandReviewOverdueEvent(Schema):
    demand_id = fields.String(required=True)
    region_code = _optional()
    township_code = _optional()
    carrier_id = _optional()
    submitted_at = fields.DateTime(format="iso", required=True)
    escalated_at = fields.DateTime(format="iso", load_default=None)


class DemandAssignedEvent(Schema):
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    elder_id = fields.String(load_default=None)
    window_start = _time(required=True)
    window_end = _time(required=True)
    open_slots = fields.Integer(required=True, validate=validate.Range(min=0))


class DemandStartedEvent(Schema):
    """The first check-in on a demand, whenever it comes (before the window too): the service
    is under way and the demand takes no more volunteers, so ``open_slots`` is 0 (matching
    takes the demand out of feeds, candidates and dispatch). Once per demand."""

    demand_id = fields.String(required=True)
    volunteer_id = fields.String()  # who checked in first
    started_at = fields.DateTime(format="iso")  # their check-in time
    window_start = fields.DateTime(format="iso")
    # 0: nobody can claim it any more
    open_slots = fields.Integer(load_default=0, validate=validate.Range(min=0))
    slots_closed = fields.Integer()  # slots still open before this check-in (0 when full)
    region_code = fields.String()
    category = _optional()  # the demand's service category (absent before it was added)
    # when the elder submitted the demand (reporting's time to service; absent before: null)
    submitted_at = fields.AwareDateTime(format="iso", load_default=None, allow_none=True)


class DemandCancelledEvent(Schema):
    """``window_start``/``window_end``: notify tells who was coming and whether the
    cancellation is urgent (the service was due within 2 hours)."""

    demand_id = fields.String(required=True)
    elder_id = _optional()
    region_code = fields.String()
    reason = _optional()
    volunteer_ids = fields.List(fields.String(), load_default=list)
    window_start = fields.DateTime(format="iso", load_default=None)
    window_end = fields.DateTime(format="iso", load_default=None)


class AssignmentWithdrawnEvent(Schema):
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    reason = _optional()
    open_slots = fields.Integer(load_default=None, validate=validate.Range(min=0))
    region_code = _optional()


class AssignmentNoShowEvent(Schema):
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    elder_id = _optional()
    window_start = fields.DateTime(format="iso", required=True)
    region_code = _optional()
    demand_cancelled = fields.Boolean()  # the window was over and nobody else was left


# --- paying for it: the reservation saga with the ledger --------------------------------------
class ReservationRequestedEvent(Schema):
    """The ledger reserves ``minutes`` from the elder's ``funding_source`` (own hours or
    grant) until ``expires_at``; ``reservation_id`` is the ledger's pending transfer id."""

    assignment_id = fields.String(required=True, validate=ID)
    reservation_id = fields.String(required=True, validate=RESERVATION_ID)
    demand_id = fields.String(required=True, validate=ID)
    elder_id = fields.String(required=True, validate=ID)
    volunteer_id = fields.String(required=True, validate=ID)
    volunteer_region_code = fields.String(load_default=None, validate=REGION_CODE)
    funding_source = fields.String(required=True)
    fallback_reason = fields.String(load_default=None, allow_none=True,
                                    validate=validate.Length(max=500))
    category = fields.String(load_default=None)
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    expires_at = _time(required=True)
    region_code = fields.String(required=True, validate=REGION_CODE)


class ReservationReleasedEvent(Schema):
    """``reason``: withdrawn, no_show, cancelled, rejected or voided."""

    assignment_id = fields.String(required=True, validate=ID)
    reservation_id = fields.String(required=True, validate=RESERVATION_ID)
    demand_id = fields.String(load_default=None)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=50))


# --- service records ----------------------------------------------------------------------------
class ServiceRecordedEvent(Schema):
    """``funding_source`` names who pays (absent: issuance), as the elder chose it at
    submission; a name demand does not offer is refused, so a typo is dead-lettered, never
    paid by the city. ``fallback_reason``: why the station agreed at review that the city's
    issuance account pays what the chosen source lacks (null: no fallback was agreed; the
    ledger still never leaves a service uncredited, and records and counts any fallback with
    its own reason). ``recorded_by``: null when a system (an API client) recorded it.
    ``started_at``/``ended_at``: the assignment's first check-in and its check-out."""

    record_id = fields.String(required=True, validate=ID)
    demand_id = fields.String(required=True, validate=ID)
    volunteer_id = fields.String(required=True, validate=ID)
    volunteer_region_code = fields.String(load_default=None, validate=REGION_CODE)
    elder_id = fields.String(load_default=None, validate=ID)
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    category = fields.String(load_default=None)
    funding_source = fields.String(load_default=None, validate=validate.OneOf(FUNDING_SOURCES))
    fallback_reason = fields.String(load_default=None, allow_none=True,
                                    validate=validate.Length(max=500))
    carrier_id = fields.String(allow_none=True)
    recorded_by = fields.String(allow_none=True)
    recorded_at = _time(required=True)
    reservation_id = fields.String(load_default=None,  # the reservation the ledger posts
                                   validate=RESERVATION_ID)
    # the assignment's check-in and check-out (null when there was none; absent in events
    # published before they were added)
    started_at = fields.AwareDateTime(format="iso", load_default=None, allow_none=True)
    ended_at = fields.AwareDateTime(format="iso", load_default=None, allow_none=True)


class RecordHeldEvent(Schema):
    record_id = fields.String()
    demand_id = fields.String()
    volunteer_id = fields.String()
    elder_id = fields.String()
    region_code = fields.String()
    flags = fields.List(fields.Dict())


class RecordReviewedEvent(Schema):
    record_id = fields.String()
    demand_id = fields.String()
    volunteer_id = fields.String()
    region_code = fields.String()
    review = fields.String()  # released | rejected
    reviewed_by = fields.String()
    review_reason = fields.String(allow_none=True)


class ConfirmationOverdueEvent(Schema):
    """``record_confirmation_overdue``: notify asks the elder to confirm (``minutes``: what
    was recorded, so they know which service)."""

    record_id = fields.String(required=True)
    demand_id = _optional()
    elder_id = fields.String(required=True)
    volunteer_id = _optional()
    minutes = _optional(fields.Integer)
    region_code = _optional()
    carrier_id = _optional()
    recorded_at = fields.DateTime(format="iso", required=True)


class RecordingOverdueEvent(Schema):
    """``recording_overdue``: a service was checked out and the station has not recorded its
    time within the regional policy's limit (及时). ``level`` ``station`` the first time, then
    ``township`` when it is still not recorded after a second limit; each level once."""

    demand_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    volunteer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    elder_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    region_code = fields.String(required=True, validate=REGION_CODE)
    carrier_id = _optional()
    checked_out_at = _time(required=True)
    due_at = _time(required=True)
    level = fields.String(required=True, validate=validate.OneOf(["station", "township"]))


# --- evaluations and disputes -------------------------------------------------------------------
class EvaluationSubmittedEvent(Schema):
    evaluation_id = fields.String()
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    elder_id = fields.String(required=True)
    region_code = fields.String()
    score = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    tags = fields.List(fields.String())
    channel = fields.String()
    demand_status = fields.String()  # after this evaluation: recorded, evaluated, ...


class FollowUpOpenedEvent(Schema):
    """``carrier_id``: the station whose task it is (notify tells its operators)."""

    follow_up_id = fields.String(required=True)
    kind = fields.String(required=True)
    evaluation_id = _optional()
    record_id = _optional()
    demand_id = _optional()
    volunteer_id = _optional()
    elder_id = _optional()
    region_code = fields.String(required=True)
    carrier_id = _optional()
    score = _optional(fields.Integer)


class DisputeOpenedEvent(Schema):
    """The record's ``volunteer_id`` and ``elder_id`` and the opener (``opened_by``): notify
    tells them the outcome, also of a record that was never sent to the ledger."""

    dispute_id = fields.String(required=True)
    subject = _optional()
    record_id = _optional()
    demand_id = _optional()
    volunteer_id = _optional()
    elder_id = _optional()
    opened_by = _optional()
    region_code = fields.String(required=True)
    opener_role = _optional()
    reason = fields.String()


class DisputeResolvedEvent(Schema):
    """The ledger applies it (``credited``: the record had been sent to the ledger); notify
    tells the record's volunteer and elder and the opener. ``minutes``: the corrected
    minutes of ``minutes_adjusted``, else null; ``approver``: who resolved it."""

    dispute_id = fields.String(required=True, validate=ID)
    subject = fields.String()  # absent: a record (the ledger reads it so)
    record_id = fields.String(required=True, validate=ID)
    demand_id = _optional()
    volunteer_id = _optional()
    elder_id = _optional()
    opened_by = _optional()
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    minutes = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=0))
    approver = fields.String(required=True, validate=ID)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    region_code = _optional()
    credited = fields.Boolean()  # absent: credited (the ledger reads it so)


def _event(name: str, payload: type[Schema], summary: str) -> EventContract:
    return EventContract("demand", name, payload, summary)


DEMAND_SUBMITTED = _event("demand_submitted", DemandSubmittedEvent,
                          "A demand was submitted (any channel, or a series occurrence)")
DEMAND_PUBLISHED = _event("demand_published", DemandPublishedEvent,
                          "A demand was approved at review: volunteers may take it")
DEMAND_REJECTED = _event("demand_rejected", DemandRejectedEvent,
                         "A demand was rejected at review, with the reason")
DEMAND_ADJUSTED = _event("demand_adjusted", DemandAdjustedEvent,
                         "A demand's content was adjusted before review (every change)")
DEMAND_REVIEW_OVERDUE = _event("demand_review_overdue", DemandReviewOverdueEvent,
                               "A demand waited too long for review: escalated to its township")
DEMAND_ASSIGNED = _event("demand_assigned", DemandAssignedEvent,
                         "A volunteer claimed or was assigned a slot of a demand")
DEMAND_STARTED = _event("demand_started", DemandStartedEvent,
                        "The first check-in: the service is under way, no slot open any more")
DEMAND_CANCELLED = _event("demand_cancelled", DemandCancelledEvent,
                          "A demand was cancelled (by the elder or staff, a no-show or expiry)")
ASSIGNMENT_WITHDRAWN = _event("assignment_withdrawn", AssignmentWithdrawnEvent,
                              "A volunteer gave their slot back before the start")
ASSIGNMENT_NO_SHOW = _event("assignment_no_show", AssignmentNoShowEvent,
                            "A volunteer did not check in by the window start plus the grace")
RESERVATION_REQUESTED = _event("reservation_requested", ReservationRequestedEvent,
                               "Asks the ledger to reserve the expected minutes of an assignment")
RESERVATION_RELEASED = _event("reservation_released", ReservationReleasedEvent,
                              "Tells the ledger an assignment's reservation is not needed")
SERVICE_RECORDED = _event("service_recorded", ServiceRecordedEvent,
                          "A confirmed, not held service record: the ledger credits it (once)")
RECORD_HELD = _event("record_held", RecordHeldEvent,
                     "A record was flagged by its evidence and waits for a second look")
RECORD_REVIEWED = _event("record_reviewed", RecordReviewedEvent,
                         "A held record was released or rejected")
RECORD_CONFIRMATION_OVERDUE = _event("record_confirmation_overdue", ConfirmationOverdueEvent,
                                     "A record still waits for the elder's confirmation")
RECORDING_OVERDUE = _event("recording_overdue", RecordingOverdueEvent,
                           "A checked-out service is not recorded in time: to the station, "
                           "then the township")
EVALUATION_SUBMITTED = _event("evaluation_submitted", EvaluationSubmittedEvent,
                              "The elder's side evaluated a volunteer's service")
FOLLOW_UP_OPENED = _event("follow_up_opened", FollowUpOpenedEvent,
                          "A task for the station: a low score, or a confirmation to take")
DISPUTE_OPENED = _event("dispute_opened", DisputeOpenedEvent,
                        "A dispute about a record or an evaluation was opened")
DISPUTE_RESOLVED = _event("dispute_resolved", DisputeResolvedEvent,
                          "A dispute was resolved: the ledger applies the outcome (once)")

EVENTS = (DEMAND_SUBMITTED, DEMAND_PUBLISHED, DEMAND_REJECTED, DEMAND_ADJUSTED,
          DEMAND_REVIEW_OVERDUE, DEMAND_ASSIGNED, DEMAND_STARTED, DEMAND_CANCELLED,
          ASSIGNMENT_WITHDRAWN, ASSIGNMENT_NO_SHOW, RESERVATION_REQUESTED, RESERVATION_RELEASED,
          SERVICE_RECORDED, RECORD_HELD, RECORD_REVIEWED, RECORD_CONFIRMATION_OVERDUE,
          RECORDING_OVERDUE, EVALUATION_SUBMITTED, FOLLOW_UP_OPENED, DISPUTE_OPENED, DISPUTE_RESOLVED)
"""Every event the demand service produces."""
