"""marshmallow schemas of the ledger's RPC inputs/outputs and event payloads."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

PERSON_ID = validate.Length(min=1, max=64)


class PersonIdSchema(Schema):
    person_id = fields.String(required=True, validate=PERSON_ID)


class StatementQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    since = fields.AwareDateTime(load_default=None, allow_none=True)
    until = fields.AwareDateTime(load_default=None, allow_none=True)

    @validates_schema
    def _period(self, data, **kwargs):
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise ValidationError("since must be before until / 开始时间须早于结束时间", "until")


class BalanceOut(Schema):
    person_id = fields.String()
    earned_minutes = fields.Integer()
    grant_minutes = fields.Integer()
    reserved_minutes = fields.Integer()
    available_minutes = fields.Integer()


class StatementItemOut(Schema):
    transfer_id = fields.String()
    kind = fields.String()
    account_kind = fields.String()  # personal | grant: whose balance balance_after is
    amount_minutes = fields.Integer()  # signed, from this person's point of view
    balance_after = fields.Integer()
    memo = fields.String(allow_none=True)
    reference = fields.Dict()
    occurred_at = fields.DateTime(format="iso")


class StatementOut(Schema):
    items = fields.List(fields.Nested(StatementItemOut))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


# --- events --------------------------------------------------------------------------------
class ServiceRecordedPayload(Schema):
    """What the ledger needs from demand's ``service_recorded`` (other fields are ignored)."""

    class Meta:
        unknown = EXCLUDE

    record_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    demand_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    volunteer_id = fields.String(required=True, validate=PERSON_ID)
    volunteer_region_code = fields.String(load_default=None, allow_none=True,
                                          validate=validate.Regexp(r"^\d{12}$"))
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    category = fields.String(load_default=None, allow_none=True)
    funding_source = fields.String(load_default=None, allow_none=True)


class HoursCreditedEvent(Schema):
    transfer_id = fields.String()
    person_id = fields.String()
    minutes = fields.Integer()
    balance_minutes = fields.Integer()
    kind = fields.String()
    record_id = fields.String()
    demand_id = fields.String()
