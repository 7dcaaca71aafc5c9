"""Gifts to a direct relative, donations to a pool (``give``) and pool allocations to
priority elders (``allocate_pool``)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .kinds import GIVING_KINDS
from .transfers import TransferOut
from .values import PERSON_ID, REGION_CODE


class TransferBody(Schema):
    """``POST /api/v1/transfers`` (with an ``Idempotency-Key`` header) and ``give``."""

    kind = fields.String(required=True, validate=validate.OneOf(GIVING_KINDS))
    to_person_id = fields.String(load_default=None, allow_none=True, validate=PERSON_ID,
                                 metadata={"description": "the relative (gift_to_relative)"})
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100000))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    from_person_id = fields.String(
        load_default=None, allow_none=True, validate=PERSON_ID,
        metadata={"description": "an elder the caller acts for (their proxy); default: the caller"})


class GiveOut(Schema):
    status = fields.String(required=True)  # posted | exists
    transfer = fields.Nested(TransferOut, required=True)


class AllocateIn(Schema):
    region_code = fields.String(required=True, validate=REGION_CODE,
                                metadata={"description": "a region of the pool's city-level unit"})
    allocation_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    minutes_each = fields.Integer(required=True, strict=True,
                                  validate=validate.Range(min=1, max=100000))
    memo = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class AllocationOut(Schema):
    allocation_id = fields.String(required=True)
    pool_region_code = fields.String(required=True)
    rule = fields.String(required=True)
    repeated = fields.Boolean(required=True)
    allocated = fields.List(fields.Dict(), required=True)  # [{person_id, minutes, transfer_id}] in order
    pool_left_minutes = fields.Integer(required=True)
