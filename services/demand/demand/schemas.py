"""marshmallow schemas: RPC inputs, RPC outputs and event payloads of the demand service.

Range rules (minutes, slots) live in ``domain.rules`` so they have one home; these
schemas check shape and types. Times must carry an offset (``AwareDateTime``).
"""
from marshmallow import Schema, fields, validate, validates_schema

from timebank_common.schemas import PageQuery, check_period_order

from .domain.lifecycle import STATUSES
from .domain.rules import CHANNELS, CONFIRMATIONS, FUNDING_SOURCES

REGION_CODE = validate.Regexp(r"^\d{12}$", error="must be a 12-digit region code")


def _time(**kwargs):
    return fields.AwareDateTime(format="iso", **kwargs)


class LocationSchema(Schema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lng = fields.Float(required=True, validate=validate.Range(-180, 180))


# --- inputs ------------------------------------------------------------------------
class SubmitSchema(Schema):
    elder_id = fields.String(required=True, validate=validate.Length(1, 64))
    category = fields.String(required=True, validate=validate.Length(1, 50))
    description = fields.String(required=True, validate=validate.Length(1, 2000))
    address = fields.String(required=True, validate=validate.Length(1, 500))
    location = fields.Nested(LocationSchema, load_default=None, allow_none=True)
    window_start = _time(required=True)
    window_end = _time(required=True)
    expected_minutes = fields.Integer(required=True, strict=True)
    volunteers_needed = fields.Integer(load_default=1, strict=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))


class ReviewSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    funding_source = fields.String(load_default=None, allow_none=True,
                                   validate=validate.OneOf(FUNDING_SOURCES))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class PresenceSchema(Schema):
    """check_in / check_out: when (default now) and where (optional)."""

    at = _time(load_default=None, allow_none=True)
    lat = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-90, 90))
    lng = fields.Float(load_default=None, allow_none=True, validate=validate.Range(-180, 180))


class RecordSchema(Schema):
    """``confirmation``: ``phone`` — the station took the elder's confirmation by phone
    (``confirmed_by`` who answered: the elder or their proxy; ``confirmed_at`` default now);
    ``app`` — the elder (or proxy) confirms later with ``POST .../confirm``."""

    volunteer_id = fields.String(required=True, validate=validate.Length(1, 64))
    minutes = fields.Integer(required=True, strict=True)
    confirmation = fields.String(required=True, validate=validate.OneOf(CONFIRMATIONS))
    confirmed_by = fields.String(load_default="elder", validate=validate.OneOf(("elder", "proxy")))
    confirmed_at = _time(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class CancelSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class ListSchema(PageQuery):
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))
    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)
    category = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(1, 50))  # a catalogue code


class MatchingDemandsQuery(Schema):
    """``matching_demands``: paged by demand id (``after`` = the last one)."""

    after = fields.UUID(load_default=None, allow_none=True)
    limit = fields.Integer(load_default=1000, validate=validate.Range(1, 5000))


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


class ServiceRecordsQuery(Schema):
    """``service_records``: filters combine; paged by record id (``after`` = the last one)."""

    region_prefix = fields.String(load_default=None, allow_none=True,
                                  validate=validate.Regexp(r"^\d{2,12}$"))
    period_from = fields.Date(load_default=None, allow_none=True)
    period_to = fields.Date(load_default=None, allow_none=True)
    record_ids = fields.List(fields.UUID(), load_default=None, allow_none=True,
                             validate=validate.Length(max=1000))
    after = fields.UUID(load_default=None, allow_none=True)
    limit = fields.Integer(load_default=1000, validate=validate.Range(1, 5000))

    @validates_schema
    def _in_order(self, data, **kwargs):
        check_period_order(data)


class ServiceRecordRowOut(Schema):
    record_id = fields.String()
    demand_id = fields.String()
    volunteer_id = fields.String()
    minutes = fields.Integer()
    recorded_at = fields.DateTime(format="iso")
    region_code = fields.String()


# --- outputs -----------------------------------------------------------------------
class CategoryOut(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    professional = fields.Boolean()
    qualifications = fields.List(fields.String())
    default_minutes = fields.Integer()
    group_allowed = fields.Boolean()


class AssignmentOut(Schema):
    assignment_id = fields.String(attribute="id")
    volunteer_id = fields.String()
    status = fields.String()
    assigned_at = fields.DateTime(format="iso")
    assigned_by = fields.String()
    checked_in_at = fields.DateTime(format="iso")
    check_in_location = fields.Dict()
    checked_out_at = fields.DateTime(format="iso")
    check_out_location = fields.Dict()
    ended_at = fields.DateTime(format="iso", allow_none=True)
    end_reason = fields.String(allow_none=True)
    reservation_status = fields.String(allow_none=True)
    reservation_note = fields.String(allow_none=True)


class DemandOut(Schema):
    demand_id = fields.String(attribute="id")
    elder_id = fields.String()
    category = fields.String()
    description = fields.String()
    address = fields.String()
    location = fields.Dict(allow_none=True)
    window_start = fields.DateTime(format="iso")
    window_end = fields.DateTime(format="iso")
    expected_minutes = fields.Integer()
    volunteers_needed = fields.Integer()
    open_slots = fields.Integer()
    channel = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={
        "description": "DESIGN.md §5; evaluated once the elder's side has evaluated every "
                       "volunteer with a counting record"})
    region_code = fields.String()
    carrier_id = fields.String(allow_none=True)
    submitted_by = fields.String(allow_none=True)
    funding_source = fields.String(allow_none=True)
    reviewed_by = fields.String(allow_none=True)
    reviewed_at = fields.DateTime(format="iso", allow_none=True)
    reject_reason = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    cancelled_at = fields.DateTime(format="iso", allow_none=True)
    created_at = fields.DateTime(format="iso")
    assignments = fields.List(fields.Nested(AssignmentOut))


class RecordOut(Schema):
    record_id = fields.String()
    demand_id = fields.String()
    volunteer_id = fields.String()
    volunteer_region_code = fields.String(allow_none=True)
    elder_id = fields.String()
    category = fields.String()
    minutes = fields.Integer()
    confirmation = fields.String(allow_none=True)  # app | phone once confirmed
    note = fields.String(allow_none=True)
    funding_source = fields.String()
    region_code = fields.String()
    carrier_id = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = fields.DateTime(format="iso")
    flags = fields.List(fields.Dict())  # [{code, zh, en, details}]
    status = fields.String()  # held | awaiting_confirmation | sent | rejected | voided
    confirmed_by = fields.String(allow_none=True)
    confirmed_by_person = fields.String(allow_none=True)
    confirmed_at = fields.DateTime(format="iso", allow_none=True)
    confirmation_note = fields.String(allow_none=True)
    review = fields.String(allow_none=True)
    reviewed_by = fields.String(allow_none=True)
    reviewed_at = fields.DateTime(format="iso", allow_none=True)
    review_reason = fields.String(allow_none=True)
    sent_at = fields.DateTime(format="iso", allow_none=True)
    corrected_minutes = fields.Integer(allow_none=True)


# --- event payloads (docs/rpc-and-events.md) ----------------------------------------
class DemandSubmittedEvent(Schema):
    demand_id = fields.String(attribute="id")
    elder_id = fields.String()
    category = fields.String()
    region_code = fields.String()
    channel = fields.String()
    window_start = fields.DateTime(format="iso")
    window_end = fields.DateTime(format="iso")
    expected_minutes = fields.Integer()
    volunteers_needed = fields.Integer()


class DemandPublishedEvent(Schema):
    demand_id = fields.String(attribute="id")
    elder_id = fields.String()
    category = fields.String()
    region_code = fields.String()
    window_start = fields.DateTime(format="iso")
    window_end = fields.DateTime(format="iso")
    expected_minutes = fields.Integer()
    volunteers_needed = fields.Integer()
    location = fields.Dict(allow_none=True)


class DemandRejectedEvent(Schema):
    demand_id = fields.String(attribute="id")
    elder_id = fields.String()
    region_code = fields.String()
    reason = fields.String(attribute="reject_reason")


class DemandAssignedEvent(Schema):
    demand_id = fields.String()
    volunteer_id = fields.String()
    elder_id = fields.String()
    window_start = fields.DateTime(format="iso")
    window_end = fields.DateTime(format="iso")
    open_slots = fields.Integer()


class DemandCancelledEvent(Schema):
    """``window_start``/``window_end``: notify tells who was coming and whether the
    cancellation is urgent (the service was due within 2 hours)."""

    demand_id = fields.String(attribute="id")
    elder_id = fields.String()
    region_code = fields.String()
    reason = fields.String(attribute="cancel_reason")
    volunteer_ids = fields.Function(lambda demand: demand.volunteer_ids())
    window_start = fields.DateTime(format="iso")
    window_end = fields.DateTime(format="iso")


class ServiceRecordedEvent(Schema):
    record_id = fields.String()
    demand_id = fields.String()
    volunteer_id = fields.String()
    volunteer_region_code = fields.String(allow_none=True)
    elder_id = fields.String()
    minutes = fields.Integer()
    category = fields.String()
    funding_source = fields.String()
    carrier_id = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = fields.DateTime(format="iso")
    reservation_id = fields.String(allow_none=True)  # the saga (demand/payments.py)
