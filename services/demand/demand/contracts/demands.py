"""Demands: submission, presence, cancellation, the demand as it is shown, lists, and the
internal listings matching and the ledger read.

Range rules (minutes, slots) live in the domain (``domain/rules.py``) so they have one home;
these schemas check shape and types. Times must carry an offset (``AwareDateTime``).
"""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate, validates_schema

from timebank_common.schemas import (
    QUERY_DATES,
    AsciiPattern,
    PageQuery,
    UuidText,
    check_period_order,
)

from .enums import (
    CHANNELS,
    FUNDING_SOURCES,
    NOT_OFFERED_TEXT,
    REGION_CODE,
    STATUSES,
    WINDOW_RULE,
)


def _time(**kwargs: Any) -> fields.AwareDateTime:
    return fields.AwareDateTime(format="iso", **kwargs)


class LocationSchema(Schema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lng = fields.Float(required=True, validate=validate.Range(-180, 180))


# --- inputs ------------------------------------------------------------------------
class SubmitSchema(Schema):
    class Meta:
        description = NOT_OFFERED_TEXT

    elder_id = UuidText(required=True)
    category = fields.String(required=True, validate=validate.Length(1, 50), metadata={
        "description": f"a code from GET /api/v1/catalog. {NOT_OFFERED_TEXT}"})
    description = fields.String(required=True, validate=validate.Length(1, 2000))
    address = fields.String(required=True, validate=validate.Length(1, 500))
    location = fields.Nested(LocationSchema, load_default=None, allow_none=True)
    window_start = _time(required=True, metadata={"description": WINDOW_RULE})
    window_end = _time(required=True, metadata={"description": WINDOW_RULE})
    expected_minutes = fields.Integer(required=True, strict=True)
    volunteers_needed = fields.Integer(load_default=1, strict=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    funding_source = fields.String(load_default=None, allow_none=True,
                                   validate=validate.OneOf(FUNDING_SOURCES), metadata={
        "description": "who pays the hours, the elder's choice (or their proxy's, or the"
                       " operator's on the phone on the elder's behalf): own_hours, grant,"
                       " donation_pool or issuance (the city's public hours: the default)"})


class PresenceSchema(Schema):
    """check_in / check_out: where (GPS; a step without it is flagged ``location_missing``) and,
    optionally, the device's time. The check-in/out time is always the server's; ``at`` is kept
    as the device's time (evidence, flagged ``device_time_skewed`` when it differs)."""

    at = _time(load_default=None, allow_none=True, metadata={
        "description": "the device's clock (kept as evidence; the server's time is used)"})
    lat = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-90, 90))
    lng = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-180, 180))


class WithdrawSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class CancelSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class ListSchema(PageQuery):
    """``list``: what the demand service accepts (unset filters may be None)."""

    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))
    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)
    category = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(1, 50))  # a catalogue code
    mine = fields.Boolean(load_default=False, metadata={
        "description": "only the caller's own demands (as the elder, their proxy, or an "
                       "assigned volunteer)"})


class DemandListQuery(PageQuery):
    """``GET /api/v1/demands``: the filters of the HTTP query (DESIGN.md §9)."""

    status = fields.Str(load_default=None, validate=validate.OneOf(STATUSES))
    region_code = fields.Str(load_default=None, validate=AsciiPattern(r"^[0-9]{12}$"))
    category = fields.Str(load_default=None)
    mine = fields.Bool(load_default=False, metadata={
        "description": "only the caller's own: an elder's demands (or those of the elders they "
                       "act for) and the demands a volunteer is assigned to, in every status; "
                       "leaves out the published demands a volunteer could claim and what staff "
                       "see in their scope"})


class MatchingDemandsQuery(Schema):
    """``matching_demands``: paged by demand id (``after`` = the last one)."""

    after = fields.UUID(load_default=None, allow_none=True)
    limit = fields.Integer(load_default=1000, validate=validate.Range(1, 5000))


class ServiceRecordsQuery(Schema):
    """``service_records``: filters combine; paged by record id (``after`` = the last one)."""

    region_prefix = fields.String(load_default=None, allow_none=True,
                                  validate=AsciiPattern(r"^[0-9]{2,12}$"))
    period_from = fields.Date(load_default=None, allow_none=True, validate=QUERY_DATES)
    period_to = fields.Date(load_default=None, allow_none=True, validate=QUERY_DATES)
    record_ids = fields.List(fields.UUID(), load_default=None, allow_none=True,
                             validate=validate.Length(max=1000))
    after = fields.UUID(load_default=None, allow_none=True)
    limit = fields.Integer(load_default=1000, validate=validate.Range(1, 5000))

    @validates_schema
    def _in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        check_period_order(data)


# --- outputs -----------------------------------------------------------------------
class ReliabilityOut(Schema):
    volunteer_id = fields.String(required=True)
    assigned = fields.Integer(required=True)
    completed = fields.Integer(required=True)
    withdrawn = fields.Integer(required=True)
    no_shows = fields.Integer(required=True)
    reliability = fields.Float(allow_none=True, required=True)  # completed / (completed + withdrawn + no-shows)


class AssignmentOut(Schema):
    assignment_id = fields.String(attribute="id", required=True)
    volunteer_id = fields.String(required=True)
    status = fields.String(required=True)
    assigned_at = fields.DateTime(format="iso", required=True)
    assigned_by = fields.String(required=True)
    checked_in_at = fields.DateTime(format="iso", required=True, allow_none=True)
    check_in_location = fields.Dict(required=True, allow_none=True)
    checked_out_at = fields.DateTime(format="iso", required=True, allow_none=True)
    check_out_location = fields.Dict(required=True, allow_none=True)
    check_in_device_at = fields.DateTime(format="iso", allow_none=True, metadata={
        "description": "the time the volunteer's app sent at check-in (evidence; checked_in_at"
                       " is the server's)"}, required=True)
    check_out_device_at = fields.DateTime(format="iso", allow_none=True, metadata={
        "description": "the time the app sent at check-out (evidence)"}, required=True)
    ended_at = fields.DateTime(format="iso", allow_none=True, required=True)
    end_reason = fields.String(allow_none=True, required=True)
    reservation_status = fields.String(allow_none=True, required=True)
    reservation_note = fields.String(allow_none=True, required=True)
    reliability = fields.Nested(ReliabilityOut, metadata={
        "description": "operators only: the volunteer's reliability"})


class DemandOut(Schema):
    demand_id = fields.String(attribute="id", required=True)
    elder_id = fields.String(required=True)
    category = fields.String(required=True)
    description = fields.String(required=True)
    address = fields.String(required=True)
    location = fields.Dict(allow_none=True, required=True)
    window_start = fields.DateTime(format="iso", required=True)
    window_end = fields.DateTime(format="iso", required=True)
    expected_minutes = fields.Integer(required=True)
    volunteers_needed = fields.Integer(required=True)
    open_slots = fields.Integer(required=True)
    channel = fields.String(required=True)
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={
        "description": "DESIGN.md §5; evaluated once the elder's side has evaluated every "
                       "volunteer with a counting record"}, required=True)
    region_code = fields.String(required=True)
    carrier_id = fields.String(allow_none=True, required=True)
    submitted_by = fields.String(allow_none=True, required=True)
    funding_source = fields.String(allow_none=True, metadata={
        "description": "chosen at submission (issuance when nobody chose)"}, required=True)
    funding_chosen_by = fields.String(allow_none=True, metadata={
        "description": "elder, proxy, operator (on the elder's behalf) or api_client; null:"
                       " nobody chose, the default"}, required=True)
    fallback_reason = fields.String(allow_none=True, metadata={
        "description": "agreed at review: the city's issuance account pays what the chosen"
                       " source lacks"}, required=True)
    funding_available_minutes = fields.Integer(allow_none=True, metadata={
        "description": "what the chosen source (own hours, grant) could pay at review"}, required=True)
    funding_shortfall_minutes = fields.Integer(metadata={
        "description": "expected_minutes × volunteers_needed beyond that, at review"}, required=True)
    reviewed_by = fields.String(allow_none=True, required=True)
    reviewed_at = fields.DateTime(format="iso", allow_none=True, required=True)
    reject_reason = fields.String(allow_none=True, required=True)
    cancel_reason = fields.String(allow_none=True, required=True)
    cancelled_at = fields.DateTime(format="iso", allow_none=True, required=True)
    created_at = fields.DateTime(format="iso", required=True)
    assignments = fields.List(fields.Nested(AssignmentOut), required=True)


class DemandChangeOut(Schema):
    field = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    reason = fields.String()
    changed_by = fields.String()
    changed_at = fields.DateTime(format="iso")


class EscalationOut(Schema):
    demand_id = fields.String(required=True)
    region_code = fields.String(required=True)
    township_code = fields.String(required=True)
    carrier_id = fields.String(allow_none=True, required=True)
    submitted_at = fields.DateTime(format="iso", required=True)
    escalated_at = fields.DateTime(format="iso", required=True)
    closed_at = fields.DateTime(format="iso", allow_none=True, required=True)
    closed_reason = fields.String(allow_none=True, required=True)


class RecordingOverdueOut(Schema):
    """A service not recorded in time, reported to the station, then the township."""

    volunteer_id = fields.String(required=True)
    level = fields.String(required=True)
    checked_out_at = fields.DateTime(format="iso", required=True)
    due_at = fields.DateTime(format="iso", required=True)
    escalated_at = fields.DateTime(format="iso", required=True)


class DemandWithHistoryOut(DemandOut):
    """A demand with its adjustments and escalation. The three keys below are present only
    for whoever sees the demand's address (staff in scope, the elder, their proxy, an assigned
    volunteer): the adjustments may name it. A volunteer looking at a published demand gets
    the demand without them."""

    changes = fields.List(fields.Nested(DemandChangeOut), metadata={
        "description": "only to whoever sees the address"})
    escalation = fields.Nested(EscalationOut, allow_none=True, metadata={
        "description": "only to whoever sees the address; null when never escalated"})
    recording_overdue = fields.List(fields.Nested(RecordingOverdueOut), metadata={
        "description": "services checked out and not recorded in time (及时), as reported;"
                       " only to whoever sees the address"})


class DemandPageOut(Schema):
    items = fields.List(fields.Nested(DemandOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)


class MatchingDemandOut(Schema):
    demand_id = fields.String()
    elder_id = fields.String()
    category = fields.String()
    region_code = fields.String()
    window_start = fields.AwareDateTime(format="iso")
    window_end = fields.AwareDateTime(format="iso")
    expected_minutes = fields.Integer()
    volunteers_needed = fields.Integer()
    open_slots = fields.Integer()
    location = fields.Dict(allow_none=True)
    qualifications = fields.List(fields.String())
    published_at = fields.AwareDateTime(format="iso")
    volunteer_ids = fields.List(fields.String())


class MatchingDemandPageOut(Schema):
    items = fields.List(fields.Nested(MatchingDemandOut))
    next_after = fields.String(allow_none=True, metadata={"description": "None on the last page"})


class ServiceRecordRowOut(Schema):
    record_id = fields.String()
    demand_id = fields.String()
    volunteer_id = fields.String()
    minutes = fields.Integer()
    recorded_at = fields.DateTime(format="iso")
    region_code = fields.String()


class ServiceRecordPageOut(Schema):
    items = fields.List(fields.Nested(ServiceRecordRowOut))
    next_after = fields.String(allow_none=True, metadata={"description": "None on the last page"})
