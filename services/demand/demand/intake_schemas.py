"""marshmallow schemas of intake: catalogue editing, adjustments, escalations, series and
statistics (RPC inputs, outputs and event payloads; docs/rpc-and-events.md)."""
from marshmallow import Schema, fields, validate, validates_schema

from timebank_common.schemas import check_period_order

from .domain.catalogue import NOT_OFFERED_NOTE
from .domain.series import FREQUENCIES
from .schemas import REGION_CODE, CategoryOut, DemandOut, LocationSchema, ReviewSchema
from .schemas import SubmitSchema as _SubmitSchema

CODE = validate.Regexp(r"^[a-z][a-z0-9_]{1,49}$",
                       error="lower-case letters, digits and _ (e.g. tai_chi) / 小写字母、数字和下划线")
NOT_OFFERED_TEXT = f"{NOT_OFFERED_NOTE['zh']} {NOT_OFFERED_NOTE['en']}"


def _time(**kwargs):
    return fields.AwareDateTime(format="iso", **kwargs)


# --- catalogue -------------------------------------------------------------------------
class CategoryCreateSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    name_zh = fields.String(required=True, validate=validate.Length(1, 100))
    name_en = fields.String(required=True, validate=validate.Length(1, 200))
    professional = fields.Boolean(load_default=False)
    qualifications = fields.List(fields.String(validate=validate.Length(1, 50)),
                                 load_default=list, validate=validate.Length(max=20))
    default_minutes = fields.Integer(required=True, strict=True)
    group_allowed = fields.Boolean(load_default=False)
    sort_order = fields.Integer(load_default=None, allow_none=True, strict=True)


class CategoryUpdateSchema(Schema):
    """Only the fields given change; ``active: false`` withdraws a category from new demands
    (never deleted: demands refer to its code), ``active: true`` offers it again."""

    name_zh = fields.String(validate=validate.Length(1, 100))
    name_en = fields.String(validate=validate.Length(1, 200))
    professional = fields.Boolean()
    qualifications = fields.List(fields.String(validate=validate.Length(1, 50)),
                                 validate=validate.Length(max=20))
    default_minutes = fields.Integer(strict=True)
    group_allowed = fields.Boolean()
    active = fields.Boolean()
    sort_order = fields.Integer(strict=True)


class CatalogueQuery(Schema):
    include_inactive = fields.Boolean(load_default=False, metadata={
        "description": "province admins: also withdrawn categories"})


class CategoryAdminOut(CategoryOut):
    active = fields.Boolean()
    sort_order = fields.Integer()


class NotOfferedOut(Schema):
    zh = fields.String()
    en = fields.String()
    codes = fields.List(fields.String())


class CatalogueOut(Schema):
    categories = fields.List(fields.Nested(CategoryAdminOut))
    not_offered = fields.Nested(NotOfferedOut)


class CatalogueChangeOut(Schema):
    id = fields.String()
    code = fields.String()
    action = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict()
    changed_by = fields.String()
    changed_at = fields.DateTime(format="iso")


class CatalogueHistoryQuery(Schema):
    code = fields.String(load_default=None, allow_none=True)
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


# --- submission (the form says what is not offered) ---------------------------------------
class SubmitSchema(_SubmitSchema):
    class Meta:
        description = NOT_OFFERED_TEXT

    category = fields.String(required=True, validate=validate.Length(1, 50), metadata={
        "description": f"a code from GET /api/v1/catalog. {NOT_OFFERED_TEXT}"})


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


class IntakeReviewSchema(ReviewSchema):
    adjust = fields.Nested(AdjustSchema, load_default=None, allow_none=True, metadata={
        "description": "content changed at review (with its reason), applied before the decision"})


class DemandChangeOut(Schema):
    field = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    reason = fields.String()
    changed_by = fields.String()
    changed_at = fields.DateTime(format="iso")


class EscalationOut(Schema):
    demand_id = fields.String()
    region_code = fields.String()
    township_code = fields.String()
    carrier_id = fields.String(allow_none=True)
    submitted_at = fields.DateTime(format="iso")
    escalated_at = fields.DateTime(format="iso")
    closed_at = fields.DateTime(format="iso", allow_none=True)
    closed_reason = fields.String(allow_none=True)


class DemandWithHistoryOut(DemandOut):
    changes = fields.List(fields.Nested(DemandChangeOut))
    escalation = fields.Nested(EscalationOut, allow_none=True)


class EscalationQuery(Schema):
    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)
    include_closed = fields.Boolean(load_default=False)
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


class DemandAdjustedEvent(Schema):
    demand_id = fields.String()
    elder_id = fields.String()
    region_code = fields.String()
    changes = fields.List(fields.Nested(DemandChangeOut))
    reason = fields.String()
    changed_by = fields.String()
    changed_at = fields.DateTime(format="iso")


class DemandReviewOverdueEvent(Schema):
    demand_id = fields.String()
    region_code = fields.String()
    township_code = fields.String()
    carrier_id = fields.String(allow_none=True)
    submitted_at = fields.DateTime(format="iso")
    escalated_at = fields.DateTime(format="iso")


# --- series -------------------------------------------------------------------------------
class SeriesCreateSchema(Schema):
    class Meta:
        description = NOT_OFFERED_TEXT

    elder_id = fields.String(required=True, validate=validate.Length(1, 64))
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
    channel = fields.String(required=True, validate=validate.OneOf(("phone", "station", "app", "api")))


class SeriesCancelSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class SeriesListQuery(Schema):
    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)
    elder_id = fields.String(load_default=None, allow_none=True)
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(("active", "cancelled")))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


class OccurrenceOut(Schema):
    date = fields.Date()
    demand_id = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    window_start = fields.DateTime(format="iso", allow_none=True)
    skipped_reason = fields.String(allow_none=True)


class SeriesOut(Schema):
    series_id = fields.String(attribute="id")
    elder_id = fields.String()
    category = fields.String()
    description = fields.String()
    address = fields.String()
    frequency = fields.String()
    weekdays = fields.List(fields.Integer())
    interval_days = fields.Integer()
    start_date = fields.Date()
    end_date = fields.Date()
    time_of_day = fields.Time()
    window_minutes = fields.Integer()
    expected_minutes = fields.Integer()
    volunteers_needed = fields.Integer()
    channel = fields.String()
    region_code = fields.String()
    carrier_id = fields.String(allow_none=True)
    status = fields.String()
    created_by = fields.String(allow_none=True)
    created_at = fields.DateTime(format="iso")
    cancelled_at = fields.DateTime(format="iso", allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    occurrences = fields.List(fields.Nested(OccurrenceOut))


# --- statistics ---------------------------------------------------------------------------
class StatsIn(Schema):
    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)
    period_from = fields.Date(load_default=None, allow_none=True)
    period_to = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _in_order(self, data, **kwargs):
        check_period_order(data)

