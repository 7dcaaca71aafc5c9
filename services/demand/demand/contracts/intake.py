"""Intake: adjustments and review, review escalations, recurring series and the demand
statistics."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from timebank_common.schemas import PeriodQuery, UuidText

from .demands import EscalationOut, LocationSchema
from .enums import CHANNELS, FREQUENCIES, FUNDING_SOURCES, NOT_OFFERED_TEXT, REGION_CODE


def _time(**kwargs: Any) -> fields.AwareDateTime:
    return fields.AwareDateTime(format="iso", **kwargs)


# --- adjustment and review -----------------------------------------------------------------
class AdjustSchema(Schema):
    """The content an operator changes after contacting the elder, and why (mandatory)."""

    description = fields.String(validate=validate.Length(1, 2000))
    address = fields.String(validate=validate.Length(1, 500))
    location = fields.Nested(LocationSchema, allow_none=True)
    window_start = _time()
    window_end = _time()
    expected_minutes = fields.Integer(strict=True)
    volunteers_needed = fields.Integer(strict=True)
    category = fields.String(validate=validate.Length(1, 50))
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class IntakeReviewSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    funding_source = fields.String(load_default=None, allow_none=True, metadata={
        "description": "NOT accepted: the funding source is chosen at submission (400"
                       " funding_chosen_at_submission)"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    fallback_reason = fields.String(load_default=None, allow_none=True,
                                    validate=validate.Length(max=500), metadata={
        "description": "required to approve when the elder's chosen source (own hours, grant)"
                       " cannot cover expected_minutes × volunteers_needed (422"
                       " funding_shortfall shows the figures): the city's issuance account"
                       " then pays what is missing"})
    adjust = fields.Nested(AdjustSchema, load_default=None, allow_none=True, metadata={
        "description": "content changed at review (with its reason), applied before the decision"})


# --- escalations -----------------------------------------------------------------------------
class EscalationQuery(Schema):
    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)
    include_closed = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


class FundingCheckOut(Schema):
    """Before approving: the payer the elder chose and whether it covers the demand."""

    demand_id = fields.String(required=True)
    funding_source = fields.String(required=True)
    funding_chosen_by = fields.String(allow_none=True, required=True)
    needed_minutes = fields.Integer(metadata={
        "description": "expected_minutes × volunteers_needed"}, required=True)
    available_minutes = fields.Integer(allow_none=True, metadata={
        "description": "what the chosen source (own hours, grant) can pay now; null: issuance"
                       " or the pool (no elder's balance to check)"}, required=True)
    shortfall_minutes = fields.Integer(required=True)
    fallback_reason_required = fields.Boolean(metadata={
        "description": "approving needs a fallback_reason (issuance pays what is missing)"}, required=True)


class EscalationPageOut(Schema):
    items = fields.List(fields.Nested(EscalationOut), required=True)


# --- series -------------------------------------------------------------------------------
class SeriesCreateSchema(Schema):
    class Meta:
        description = NOT_OFFERED_TEXT

    elder_id = UuidText(required=True)
    category = fields.String(required=True, validate=validate.Length(1, 50))
    description = fields.String(required=True, validate=validate.Length(1, 2000))
    address = fields.String(required=True, validate=validate.Length(1, 500))
    location = fields.Nested(LocationSchema, load_default=None, allow_none=True)
    frequency = fields.String(required=True, validate=validate.OneOf(FREQUENCIES))
    weekdays = fields.List(fields.Integer(strict=True), load_default=list, metadata={
        "description": "weekly: ISO weekdays, 1=Monday … 7=Sunday"})
    interval_days = fields.Integer(load_default=1, strict=True, metadata={
        "description": "every_n_days: N, counted from start_date"})
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    time_of_day = fields.Time(required=True, metadata={
        "description": "China time (Asia/Shanghai), e.g. 09:30"})
    window_minutes = fields.Integer(required=True, strict=True, metadata={
        "description": "length of each occurrence's time window"})
    expected_minutes = fields.Integer(required=True, strict=True)
    volunteers_needed = fields.Integer(load_default=1, strict=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    funding_source = fields.String(load_default=None, allow_none=True,
                                   validate=validate.OneOf(FUNDING_SOURCES), metadata={
        "description": "who pays each occurrence, the elder's choice (as for one demand):"
                       " own_hours, grant, donation_pool or issuance (the default)"})


class SeriesCancelSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class SeriesListQuery(Schema):
    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)
    elder_id = UuidText(load_default=None, allow_none=True)
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(("active", "cancelled")))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


class OccurrenceOut(Schema):
    date = fields.Date(required=True)
    demand_id = fields.String(allow_none=True, required=True)
    status = fields.String(allow_none=True, required=True)
    window_start = fields.DateTime(format="iso", allow_none=True, required=True)
    skipped_reason = fields.String(allow_none=True, required=True)


class SeriesOut(Schema):
    series_id = fields.String(attribute="id", required=True)
    elder_id = fields.String(required=True)
    category = fields.String(required=True)
    description = fields.String(required=True)
    address = fields.String(required=True)
    frequency = fields.String(required=True)
    weekdays = fields.List(fields.Integer(), required=True)
    interval_days = fields.Integer(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    time_of_day = fields.Time(required=True)
    window_minutes = fields.Integer(required=True)
    expected_minutes = fields.Integer(required=True)
    volunteers_needed = fields.Integer(required=True)
    channel = fields.String(required=True)
    funding_source = fields.String(required=True)
    funding_chosen_by = fields.String(allow_none=True, required=True)
    region_code = fields.String(required=True)
    carrier_id = fields.String(allow_none=True, required=True)
    status = fields.String(required=True)
    created_by = fields.String(allow_none=True, required=True)
    created_at = fields.DateTime(format="iso", required=True)
    cancelled_at = fields.DateTime(format="iso", allow_none=True, required=True)
    cancel_reason = fields.String(allow_none=True, required=True)
    occurrences = fields.List(fields.Nested(OccurrenceOut), required=True)


class SeriesListOut(Schema):
    items = fields.List(fields.Nested(SeriesOut), required=True)


# --- statistics ---------------------------------------------------------------------------
class StatsIn(PeriodQuery):
    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)


class PeriodOut(Schema):
    from_ = fields.String(data_key="from", allow_none=True, required=True)
    to = fields.String(allow_none=True, required=True)


class DemandCountsOut(Schema):
    total = fields.Integer(required=True)
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    by_category = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    by_channel = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class DurationFiguresOut(Schema):
    count = fields.Integer(required=True)
    median_minutes = fields.Float(allow_none=True, required=True)
    mean_minutes = fields.Float(allow_none=True, required=True)


class TimingOut(Schema):
    submission_to_publication = fields.Nested(DurationFiguresOut, required=True)
    submission_to_first_assignment = fields.Nested(DurationFiguresOut, required=True)


class CompletionOut(Schema):
    completed = fields.Integer(required=True)
    cancelled_after_assignment = fields.Integer(required=True)
    expired = fields.Integer(metadata={"description": "closed unserved after their window"}, required=True)
    rate = fields.Float(allow_none=True, metadata={
        "description": "completed / (completed + cancelled after someone was assigned)"}, required=True)


class SatisfactionOut(Schema):
    evaluations = fields.Integer(required=True)
    average_score = fields.Float(allow_none=True, required=True)
    low_scores = fields.Integer(required=True)


class DisputeFiguresOut(Schema):
    disputes_opened = fields.Integer(required=True)
    disputes_resolved = fields.Integer(required=True)
    by_outcome = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class NoShowFiguresOut(Schema):
    no_shows = fields.Integer(required=True)
    withdrawals = fields.Integer(required=True)
    no_show_rate = fields.Float(allow_none=True, required=True)


class RecordingTimelinessOut(Schema):
    overdue_to_station = fields.Integer(metadata={
        "description": "services not recorded within record_within_hours, reported in the"
                       " period to their station"}, required=True)
    overdue_to_township = fields.Integer(metadata={
        "description": "... still not recorded after township_record_within_hours: to the"
                       " township"}, required=True)


class FundingFiguresOut(Schema):
    by_source = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "demands by the payer chosen at submission"}, required=True)
    chosen_by = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "elder, proxy, operator, api_client, default (nobody chose)"}, required=True)
    fallbacks = fields.Integer(metadata={
        "description": "approved with a fallback to issuance agreed at review"}, required=True)
    fallback_shortfall_minutes = fields.Integer(metadata={
        "description": "the minutes the chosen sources lacked at those reviews"}, required=True)


class EldersServedOut(Schema):
    """Distinct elders served in the period (issue 14): by service category too (an elder
    served in two categories counts in each). Not by hardship category: identity holds it."""

    elders = fields.Integer(required=True, metadata={"description": "服务老人数 Elders served"})
    by_category = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class DemandStatsOut(Schema):
    """Demands submitted in the period (China dates, both included) in a region."""

    region_code = fields.String(required=True)
    period = fields.Nested(PeriodOut, required=True)
    demands = fields.Nested(DemandCountsOut, required=True)
    timing = fields.Nested(TimingOut, required=True)
    completion = fields.Nested(CompletionOut, required=True)
    satisfaction = fields.Nested(SatisfactionOut, required=True)
    disputes = fields.Nested(DisputeFiguresOut, required=True)
    reliability = fields.Nested(NoShowFiguresOut, required=True)
    funding = fields.Nested(FundingFiguresOut, metadata={
        "description": "the elder's choice of payer and the fallbacks to issuance"}, required=True)
    recording = fields.Nested(RecordingTimelinessOut, metadata={
        "description": "recording timeliness (及时): reports made in the period"}, required=True)
    served = fields.Nested(EldersServedOut, required=True, metadata={
        "description": "服务老人数 elders served: distinct elders with a service recorded in the"
                       " period (rejected and voided records left out)"})
