"""志愿汇 pushes: their state for operators (``zyh_status``, ``zyh_dead``) and the replay of
dead ones (``zyh_replay``, province admins only)."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

ZYH_READERS = ("province_admin", "auditor")
"""Who reads the state of the 志愿汇 pushes — with a province scope (403
``province_scope_required`` else): they are one channel for the whole province."""
ZYH_REPLAYERS = ("province_admin",)
"""Who may send dead pushes again (province scope)."""
ZYH_STATUSES = ("pending", "sent", "dead")
MAX_REPLAY_IDS = 1000


class ZyhStatusOut(Schema):
    enabled = fields.Boolean(required=True,
                             metadata={"description": "ZYH.enabled and an endpoint configured"})
    pending = fields.Integer(required=True)
    sent = fields.Integer(required=True)
    dead = fields.Integer(required=True)
    last_success_at = fields.DateTime(allow_none=True, required=True,
                                      metadata={"description": "the last accepted POST"})


class ZyhDeadQuery(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000))


class ZyhPushOut(Schema):
    record_id = fields.String(required=True)
    version = fields.Integer(required=True)
    status = fields.String(validate=validate.OneOf(ZYH_STATUSES), required=True)
    attempts = fields.Integer(required=True)
    last_status = fields.Integer(allow_none=True, required=True,
                                 metadata={"description": "last HTTP status"})
    last_error = fields.String(allow_none=True, required=True)
    next_attempt_at = fields.DateTime(allow_none=True, required=True)
    sent_at = fields.DateTime(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)


class ZyhDeadOut(Schema):
    items = fields.List(fields.Nested(ZyhPushOut), required=True)
    total = fields.Integer(required=True)
    limit = fields.Integer(required=True)
    offset = fields.Integer(required=True)


class ZyhReplayIn(Schema):
    """Either ``record_ids`` (their dead pushes) or ``all: true`` (every dead push)."""

    record_ids = fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                             validate=validate.Length(min=1, max=MAX_REPLAY_IDS))
    all = fields.Boolean(load_default=False)

    @validates_schema
    def _one_of(self, data: dict[str, Any], **kwargs: Any) -> None:
        if bool(data.get("record_ids")) == bool(data.get("all")):
            raise ValidationError("give record_ids or all=true / 请指定记录编号或全部重发",
                                  "record_ids")


class ZyhReplayOut(Schema):
    replayed = fields.Integer(required=True,
                              metadata={"description": "dead pushes put back to pending"})
    record_ids = fields.List(fields.String(), required=True)
