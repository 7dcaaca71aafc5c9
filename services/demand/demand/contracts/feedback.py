"""Evaluations (item 8) with their follow-up tasks, and disputes (item 9)."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from timebank_common.schemas import AsciiPattern, PageQuery, PeriodQuery, UuidText

from .enums import DISPUTE_STATUSES, FOLLOW_UP_KINDS, OUTCOMES, REGION_CODE, STATUSES, SUBJECTS


def _reason(required: bool = False) -> fields.String:
    if required:
        return fields.String(required=True, validate=validate.Length(1, 500))
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


# --- evaluations and follow-ups ---------------------------------------------------------------
class EvaluateSchema(Schema):
    """``volunteer_id`` may be left out when the demand had one volunteer."""

    volunteer_id = UuidText(load_default=None, allow_none=True)
    score = fields.Integer(required=True, strict=True)
    tags = fields.List(fields.String(), load_default=list, validate=validate.Length(max=10))
    comment = fields.String(load_default=None, allow_none=True)


class EvaluationOut(Schema):
    evaluation_id = fields.String(required=True)
    demand_id = fields.String(required=True)
    record_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    elder_id = fields.String(required=True)
    region_code = fields.String(required=True)
    score = fields.Integer(required=True)
    tags = fields.List(fields.String(), required=True)
    comment = fields.String(required=True)
    channel = fields.String(required=True)
    submitted_by = fields.String(allow_none=True, required=True)
    submitted_at = fields.DateTime(format="iso", required=True)
    voided = fields.Boolean(required=True)
    follow_up_id = fields.String(allow_none=True, required=True)
    demand_status = fields.String(validate=validate.OneOf(STATUSES), metadata={
        "description": "the demand's status after this evaluation: evaluated once every "
                       "volunteer with a counting record is evaluated"}, required=True)


class TagOut(Schema):
    code = fields.String(required=True)
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)


class FollowUpQuery(PageQuery):
    status = fields.String(load_default="open", validate=validate.OneOf(("open", "closed")))
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(FOLLOW_UP_KINDS))
    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)


class CloseFollowUpSchema(Schema):
    note = _reason(required=True)


class FollowUpOut(Schema):
    """A task for the station: call the elder about a low score (``low_score``), or to take
    their confirmation of a record by phone (``confirmation_overdue``)."""

    follow_up_id = fields.String(required=True)
    kind = fields.String(required=True)
    evaluation_id = fields.String(allow_none=True, required=True)
    record_id = fields.String(allow_none=True, required=True)
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    elder_id = fields.String(required=True)
    region_code = fields.String(required=True)
    score = fields.Integer(allow_none=True, required=True)
    status = fields.String(required=True)
    opened_at = fields.DateTime(format="iso", required=True)
    closed_by = fields.String(allow_none=True, required=True)
    closed_at = fields.DateTime(format="iso", allow_none=True, required=True)
    note = fields.String(allow_none=True, required=True)


class FollowUpPageOut(Schema):
    items = fields.List(fields.Nested(FollowUpOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)


class FeedbackStatsQuery(PeriodQuery):
    region_prefix = fields.String(required=True, validate=AsciiPattern(r"^[0-9]{2,12}$"))


class FeedbackStatsOut(Schema):
    evaluations = fields.Integer()
    average_score = fields.Float(allow_none=True)
    low_scores = fields.Integer()
    disputes_opened = fields.Integer()
    disputes_resolved = fields.Integer()
    by_outcome = fields.Dict(keys=fields.String(), values=fields.Integer())


# --- disputes -------------------------------------------------------------------------------
class OpenDisputeSchema(Schema):
    """About a service record (``record_id``) or an evaluation (``evaluation_id``)."""

    record_id = fields.UUID(load_default=None, allow_none=True)
    evaluation_id = fields.UUID(load_default=None, allow_none=True)
    reason = _reason(required=True)

    @validates_schema
    def _one_subject(self, data: dict[str, Any], **kwargs: Any) -> None:
        if bool(data.get("record_id")) == bool(data.get("evaluation_id")):
            raise ValidationError("Give record_id or evaluation_id (one) / 请指定服务记录或评价之一",
                                  "record_id")


class TakeDisputeSchema(Schema):
    handler_id = fields.Str(load_default=None, allow_none=True, metadata={
        "description": "who handles it (default: the caller)"})


class DisputeNoteSchema(Schema):
    note = _reason(required=True)


class ResolveDisputeSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    minutes = fields.Integer(load_default=None, allow_none=True, strict=True)
    reason = _reason(required=True)


class DisputeListQuery(PageQuery):
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(DISPUTE_STATUSES))
    subject = fields.String(load_default=None, allow_none=True,
                            validate=validate.OneOf(SUBJECTS))
    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)
    demand_id = UuidText(load_default=None, allow_none=True)


class DisputeStepOut(Schema):
    step = fields.String(required=True)
    by = fields.String(allow_none=True, required=True)
    at = fields.DateTime(format="iso", required=True)
    note = fields.String(allow_none=True, required=True)
    details = fields.Dict(required=True)


class DisputeOut(Schema):
    dispute_id = fields.String(required=True)
    subject = fields.String(required=True)
    subject_id = fields.String(required=True)
    record_id = fields.String(required=True)
    demand_id = fields.String(required=True)
    elder_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    region_code = fields.String(required=True)
    opened_by = fields.String(required=True)
    opener_role = fields.String(required=True)
    reason = fields.String(required=True)
    status = fields.String(required=True)
    handler_id = fields.String(allow_none=True, required=True)
    outcome = fields.String(allow_none=True, required=True)
    minutes = fields.Integer(allow_none=True, required=True)
    resolution_reason = fields.String(allow_none=True, required=True)
    resolved_by = fields.String(allow_none=True, required=True)
    resolved_at = fields.DateTime(format="iso", allow_none=True, required=True)
    opened_at = fields.DateTime(format="iso", required=True)
    steps = fields.List(fields.Nested(DisputeStepOut), required=True)


class DisputePageOut(Schema):
    items = fields.List(fields.Nested(DisputeOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
