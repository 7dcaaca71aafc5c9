"""Moving a person within the province, and the trace both regions see."""
from __future__ import annotations

from marshmallow import Schema, fields

from timebank_common.schemas import PageQuery

from .common import REASON, REGION_CODE

__all__ = ["MoveListSchema", "MoveOut", "MovePage", "MovePersonSchema"]


class MovePersonSchema(Schema):
    to_region_code = fields.Str(required=True, validate=REGION_CODE, metadata={
        "description": "the new home: a community (village) of the province"})
    carrier_id = fields.UUID(load_default=None, allow_none=True, metadata={
        "description": "an elder's new station, in the new community (optional)"})
    reason = fields.Str(required=True, validate=REASON)


class MoveListSchema(PageQuery):
    region = fields.Str(load_default=None, allow_none=True, validate=REGION_CODE, metadata={
        "description": "moves into or out of this region (inside your scope, else 403)"})


class MoveOut(Schema):
    """One move: the person (masked), from where to where, when, by whom and why."""
    move_id = fields.Str(required=True)
    person_id = fields.Str(required=True)
    name = fields.Str(required=True, allow_none=True, metadata={"description": "in lists"})
    id_number_masked = fields.Str(required=True, allow_none=True)
    from_region_code = fields.Str(required=True)
    to_region_code = fields.Str(required=True)
    from_carrier_id = fields.Str(required=True, allow_none=True)
    to_carrier_id = fields.Str(required=True, allow_none=True)
    reason = fields.Str(required=True)
    moved_by = fields.Str(required=True, allow_none=True)
    moved_at = fields.Str(required=True, metadata={"description": "ISO 8601"})
    direction = fields.Str(required=True, allow_none=True, metadata={
        "description": "in | out | within: seen from the listed region (null in a person's "
                       "own history)"})


class MovePage(Schema):
    items = fields.List(fields.Nested(MoveOut), required=True)
    total = fields.Int(required=True)
    page = fields.Int(required=True)
    page_size = fields.Int(required=True)
