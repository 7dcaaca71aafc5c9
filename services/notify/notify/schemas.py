"""marshmallow schemas of the notify service: RPC inputs and outputs, consumed event payloads."""
from marshmallow import EXCLUDE, Schema, fields, validate


class InboxQuery(Schema):
    page = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=20, strict=True, validate=validate.Range(1, 100))
    unread_only = fields.Boolean(load_default=False)


class MessageView(Schema):
    """One inbox message; ``title``/``body`` are Chinese, ``*_en`` English."""

    id = fields.String()
    kind = fields.String()
    title = fields.String(attribute="title_zh")
    body = fields.String(attribute="body_zh")
    title_en = fields.String()
    body_en = fields.String()
    data = fields.Dict()
    created_at = fields.AwareDateTime(format="iso")
    read_at = fields.AwareDateTime(format="iso", allow_none=True)


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
