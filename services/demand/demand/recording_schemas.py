"""marshmallow schemas for recording, confirmation, evidence thresholds, evaluations,
follow-ups and disputes: RPC inputs, outputs and event payloads (docs/rpc-and-events.md)."""
from marshmallow import Schema, fields, validate, validates_schema

from timebank_common.schemas import PageQuery, check_period_order

from .domain import disputes as dispute_rules
from .domain.lifecycle import STATUSES
from .domain.recording import CONFIRMED_BY, RECORD_STATUSES
from .domain.rules import CONFIRMATIONS
from .schemas import REGION_CODE, RecordOut


def _time(**kwargs):
    return fields.AwareDateTime(format="iso", **kwargs)


def _reason(required=False):
    if required:
        return fields.String(required=True, validate=validate.Length(1, 500))
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


# --- recording ------------------------------------------------------------------------------
class GroupEntrySchema(Schema):
    volunteer_id = fields.String(required=True, validate=validate.Length(1, 64))
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

    volunteer_id = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(1, 64))
    confirmed_by = fields.String(load_default="elder", validate=validate.OneOf(CONFIRMED_BY))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class ReviewRecordSchema(Schema):
    reason = _reason()


class RecordListQuery(PageQuery):
    status = fields.String(load_default="held", validate=validate.OneOf(RECORD_STATUSES))
    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)


class AuditStepOut(Schema):
    action = fields.String()
    by = fields.String(allow_none=True)
    at = fields.DateTime(format="iso")
    reason = fields.String(allow_none=True)
    details = fields.Dict()


class RecordWithAuditOut(RecordOut):
    audit = fields.List(fields.Nested(AuditStepOut))


class GroupFailureOut(Schema):
    volunteer_id = fields.String()
    error = fields.Dict()  # {error: code, message: {zh, en}, details}


class GroupRecordOut(Schema):
    recorded = fields.List(fields.Nested(RecordOut))
    failed = fields.List(fields.Nested(GroupFailureOut))


class RecordPageOut(Schema):
    items = fields.List(fields.Nested(RecordOut))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


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
    id = fields.Integer()
    region_code = fields.String()
    effective_from = fields.Date()
    values = fields.Dict()
    reason = fields.String()
    created_by = fields.String()
    created_at = fields.DateTime(format="iso")


class EvidencePolicyOut(Schema):
    region_code = fields.String()
    on_date = fields.Date()
    values = fields.Dict()
    rows = fields.List(fields.Nested(EvidencePolicyRowOut))


# --- evaluations and follow-ups ---------------------------------------------------------------
class EvaluateSchema(Schema):
    """``volunteer_id`` may be left out when the demand had one volunteer."""

    volunteer_id = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(1, 64))
    score = fields.Integer(required=True, strict=True)
    tags = fields.List(fields.String(), load_default=list, validate=validate.Length(max=10))
    comment = fields.String(load_default=None, allow_none=True)


class EvaluationOut(Schema):
    evaluation_id = fields.String()
    demand_id = fields.String()
    record_id = fields.String()
    volunteer_id = fields.String()
    elder_id = fields.String()
    region_code = fields.String()
    score = fields.Integer()
    tags = fields.List(fields.String())
    comment = fields.String()
    channel = fields.String()
    submitted_by = fields.String(allow_none=True)
    submitted_at = fields.DateTime(format="iso")
    voided = fields.Boolean()
    follow_up_id = fields.String(allow_none=True)
    demand_status = fields.String(validate=validate.OneOf(STATUSES), metadata={
        "description": "the demand's status after this evaluation: evaluated once every "
                       "volunteer with a counting record is evaluated"})


class TagOut(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()


FOLLOW_UP_KINDS = ("low_score", "confirmation_overdue")


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

    follow_up_id = fields.String()
    kind = fields.String()
    evaluation_id = fields.String(allow_none=True)
    record_id = fields.String(allow_none=True)
    demand_id = fields.String()
    volunteer_id = fields.String()
    elder_id = fields.String()
    region_code = fields.String()
    score = fields.Integer(allow_none=True)
    status = fields.String()
    opened_at = fields.DateTime(format="iso")
    closed_by = fields.String(allow_none=True)
    closed_at = fields.DateTime(format="iso", allow_none=True)
    note = fields.String(allow_none=True)


class FollowUpPageOut(Schema):
    items = fields.List(fields.Nested(FollowUpOut))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


# --- disputes -------------------------------------------------------------------------------
class OpenDisputeSchema(Schema):
    """About a service record (``record_id``) or an evaluation (``evaluation_id``)."""

    record_id = fields.UUID(load_default=None, allow_none=True)
    evaluation_id = fields.UUID(load_default=None, allow_none=True)
    reason = _reason(required=True)

    @validates_schema
    def _one_subject(self, data, **kwargs):
        from marshmallow import ValidationError  # noqa: PLC0415
        if bool(data.get("record_id")) == bool(data.get("evaluation_id")):
            raise ValidationError("Give record_id or evaluation_id (one) / 请指定服务记录或评价之一",
                                  "record_id")


class DisputeNoteSchema(Schema):
    note = _reason(required=True)


class ResolveDisputeSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(dispute_rules.OUTCOMES))
    minutes = fields.Integer(load_default=None, allow_none=True, strict=True)
    reason = _reason(required=True)


class DisputeListQuery(PageQuery):
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(dispute_rules.STATUSES))
    subject = fields.String(load_default=None, allow_none=True,
                            validate=validate.OneOf(dispute_rules.SUBJECTS))
    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)
    demand_id = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^[0-9a-fA-F-]{36}$", error="must be a demand id (UUID)"))


class DisputeStepOut(Schema):
    step = fields.String()
    by = fields.String(allow_none=True)
    at = fields.DateTime(format="iso")
    note = fields.String(allow_none=True)
    details = fields.Dict()


class DisputeOut(Schema):
    dispute_id = fields.String()
    subject = fields.String()
    subject_id = fields.String()
    record_id = fields.String()
    demand_id = fields.String()
    elder_id = fields.String()
    volunteer_id = fields.String()
    region_code = fields.String()
    opened_by = fields.String()
    opener_role = fields.String()
    reason = fields.String()
    status = fields.String()
    handler_id = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    minutes = fields.Integer(allow_none=True)
    resolution_reason = fields.String(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolved_at = fields.DateTime(format="iso", allow_none=True)
    opened_at = fields.DateTime(format="iso")
    steps = fields.List(fields.Nested(DisputeStepOut))


class DisputePageOut(Schema):
    items = fields.List(fields.Nested(DisputeOut))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


# --- statistics -----------------------------------------------------------------------------
class FeedbackStatsQuery(Schema):
    region_prefix = fields.String(required=True, validate=validate.Regexp(r"^\d{2,12}$"))
    period_from = fields.Date(load_default=None, allow_none=True)
    period_to = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _in_order(self, data, **kwargs):
        check_period_order(data)


# --- events ---------------------------------------------------------------------------------
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

    record_id = fields.String()
    demand_id = fields.String()
    elder_id = fields.String()
    volunteer_id = fields.String()
    minutes = fields.Integer()
    region_code = fields.String()
    carrier_id = fields.String(allow_none=True)
    recorded_at = fields.DateTime(format="iso")


class EvaluationSubmittedEvent(Schema):
    evaluation_id = fields.String()
    demand_id = fields.String()
    volunteer_id = fields.String()
    elder_id = fields.String()
    region_code = fields.String()
    score = fields.Integer()
    tags = fields.List(fields.String())
    channel = fields.String()
    demand_status = fields.String()  # after this evaluation: recorded, evaluated, ...


class FollowUpOpenedEvent(Schema):
    """``carrier_id``: the station whose task it is (notify tells its operators)."""

    follow_up_id = fields.String()
    kind = fields.String()
    evaluation_id = fields.String(allow_none=True)
    record_id = fields.String(allow_none=True)
    demand_id = fields.String()
    volunteer_id = fields.String()
    elder_id = fields.String()
    region_code = fields.String()
    carrier_id = fields.String(allow_none=True)
    score = fields.Integer(allow_none=True)


class DisputeOpenedEvent(Schema):
    """The record's ``volunteer_id`` and ``elder_id`` and the opener (``opened_by``): notify
    tells them the outcome, also of a record that was never sent to the ledger."""

    dispute_id = fields.String()
    subject = fields.String()
    record_id = fields.String()
    demand_id = fields.String()
    volunteer_id = fields.String()
    elder_id = fields.String()
    opened_by = fields.String()
    region_code = fields.String()
    opener_role = fields.String()
    reason = fields.String()


class DisputeResolvedEvent(Schema):
    """The ledger applies it (``credited``: the record had been sent to the ledger); notify
    tells the record's volunteer and elder and the opener."""

    dispute_id = fields.String()
    subject = fields.String()
    record_id = fields.String()
    demand_id = fields.String()
    volunteer_id = fields.String()
    elder_id = fields.String()
    opened_by = fields.String()
    outcome = fields.String()
    minutes = fields.Integer(allow_none=True)
    approver = fields.String()
    reason = fields.String()
    region_code = fields.String()
    credited = fields.Boolean()

