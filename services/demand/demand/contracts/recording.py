"""Recording a service (items 6 and 7): the station records, the elder confirms, a reviewer
releases or rejects a held record; the evidence thresholds as regional policy data."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from timebank_common.schemas import PageQuery, UuidText

from .enums import CONFIRMATIONS, CONFIRMED_BY, RECORD_STATUSES, REGION_CODE


def _time(**kwargs: Any) -> fields.AwareDateTime:
    return fields.AwareDateTime(format="iso", **kwargs)


def _reason(required: bool = False) -> fields.String:
    if required:
        return fields.String(required=True, validate=validate.Length(1, 500))
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


# --- recording ------------------------------------------------------------------------------
class RecordSchema(Schema):
    """``confirmation``: ``phone`` — the station took the elder's confirmation by phone
    (``confirmed_by`` who answered: the elder or their proxy; ``confirmed_at`` default now);
    ``app`` — the elder (or proxy) confirms later with ``POST .../confirm``."""

    volunteer_id = UuidText(required=True)
    minutes = fields.Integer(required=True, strict=True)
    confirmation = fields.String(required=True, validate=validate.OneOf(CONFIRMATIONS))
    confirmed_by = fields.String(load_default="elder", validate=validate.OneOf(CONFIRMED_BY))
    confirmed_at = _time(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class GroupEntrySchema(Schema):
    volunteer_id = UuidText(required=True)
    minutes = fields.Integer(required=True, strict=True)


class GroupRecordSchema(Schema):
    """One call recording several volunteers of a group activity; the confirmation applies
    to every entry. Each volunteer is recorded on their own (see README)."""

    entries = fields.List(fields.Nested(GroupEntrySchema), required=True,
                          validate=validate.Length(1, 50))
    confirmation = fields.String(required=True, validate=validate.OneOf(CONFIRMATIONS))
    confirmed_by = fields.String(load_default="elder", validate=validate.OneOf(CONFIRMED_BY))
    confirmed_at = _time(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class ConfirmSchema(Schema):
    """The elder (app), their proxy (app) or the station (by phone, ``confirmed_by`` who
    answered) confirms the demand's records awaiting it (one volunteer's if given)."""

    volunteer_id = UuidText(load_default=None, allow_none=True)
    confirmed_by = fields.String(load_default="elder", validate=validate.OneOf(CONFIRMED_BY))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class ReviewRecordSchema(Schema):
    reason = _reason()


class RecordListQuery(PageQuery):
    status = fields.String(load_default="held", validate=validate.OneOf(RECORD_STATUSES))
    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)


class RecordOut(Schema):
    record_id = fields.String(required=True)
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    volunteer_region_code = fields.String(allow_none=True, required=True)
    elder_id = fields.String(required=True)
    category = fields.String(required=True)
    minutes = fields.Integer(required=True)
    confirmation = fields.String(allow_none=True, required=True)  # app | phone once confirmed
    note = fields.String(allow_none=True, required=True)
    funding_source = fields.String(required=True)
    region_code = fields.String(required=True)
    carrier_id = fields.String(allow_none=True, required=True)
    recorded_by = fields.String(required=True)
    recorded_at = fields.DateTime(format="iso", required=True)
    flags = fields.List(fields.Dict(), required=True)  # [{code, zh, en, details}]
    status = fields.String(required=True)  # held | awaiting_confirmation | sent | rejected | voided
    confirmed_by = fields.String(allow_none=True, required=True)
    confirmed_by_person = fields.String(allow_none=True, required=True)
    confirmed_at = fields.DateTime(format="iso", allow_none=True, required=True)
    confirmation_note = fields.String(allow_none=True, required=True)
    review = fields.String(allow_none=True, required=True)
    reviewed_by = fields.String(allow_none=True, required=True)
    reviewed_at = fields.DateTime(format="iso", allow_none=True, required=True)
    review_reason = fields.String(allow_none=True, required=True)
    sent_at = fields.DateTime(format="iso", allow_none=True, required=True)
    corrected_minutes = fields.Integer(allow_none=True, required=True)


class AuditStepOut(Schema):
    action = fields.String(required=True)
    by = fields.String(allow_none=True, required=True)
    at = fields.DateTime(format="iso", required=True)
    reason = fields.String(allow_none=True, required=True)
    details = fields.Dict(required=True)


class RecordWithAuditOut(RecordOut):
    audit = fields.List(fields.Nested(AuditStepOut), required=True)


class GroupFailureOut(Schema):
    volunteer_id = fields.String(required=True)
    error = fields.Dict(required=True)  # {error: code, message: {zh, en}, details}


class GroupRecordOut(Schema):
    recorded = fields.List(fields.Nested(RecordOut), required=True)
    failed = fields.List(fields.Nested(GroupFailureOut), required=True)


class RecordPageOut(Schema):
    items = fields.List(fields.Nested(RecordOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)


class ChaseOut(Schema):
    reported = fields.Integer(metadata={"description": "records reported overdue now"})


# --- evidence thresholds --------------------------------------------------------------------
class EvidencePolicyQuery(Schema):
    region_code = fields.String(required=True, validate=REGION_CODE)
    on_date = fields.Date(load_default=None, allow_none=True)


class AddEvidencePolicySchema(Schema):
    region_code = fields.String(required=True, validate=REGION_CODE)
    effective_from = fields.Date(required=True)
    values = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)
    reason = _reason(required=True)


class EvidencePolicyRowOut(Schema):
    id = fields.Integer(required=True)
    region_code = fields.String(required=True)
    effective_from = fields.Date(required=True)
    values = fields.Dict(required=True)
    reason = fields.String(required=True)
    created_by = fields.String(required=True)
    created_at = fields.DateTime(format="iso", required=True)


class EvidencePolicyOut(Schema):
    region_code = fields.String(required=True)
    on_date = fields.Date(required=True)
    values = fields.Dict(required=True)
    rows = fields.List(fields.Nested(EvidencePolicyRowOut), required=True)
