"""Reconciliation of interchange: per region and period, what each channel (the national
export, 志愿汇) delivered against what the ledger credited, with the differences."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .series import REPORT_READERS, RegionSpan

RECONCILIATION_READERS = REPORT_READERS
MAX_DIFFERENCES = 1000
"""At most this many differences per channel in one answer (``difference_count`` has all)."""
DIFFERENCE_KINDS = ("missing_from_channel", "minutes_differ", "delivered_not_credited")


class InterchangeReconciliationQuery(RegionSpan):
    """A region in the caller's scope and a span of China service days."""


class SideTotals(Schema):
    records = fields.Integer(required=True)
    minutes = fields.Integer(required=True)


class DifferenceOut(Schema):
    record_id = fields.String(required=True)
    ledger_minutes = fields.Integer(allow_none=True, required=True,
                                    metadata={"description": "null: no credit in the ledger"})
    delivered_minutes = fields.Integer(allow_none=True, required=True,
                                       metadata={"description": "null: never delivered"})
    kind = fields.String(validate=validate.OneOf(DIFFERENCE_KINDS), required=True)


class ChannelReconciliation(Schema):
    channel = fields.String(metadata={"example": "zyh"}, required=True)
    delivered = fields.Nested(SideTotals, required=True)
    ledger = fields.Nested(SideTotals, required=True)
    ok = fields.Boolean(required=True)
    difference_count = fields.Integer(required=True)
    differences = fields.List(fields.Nested(DifferenceOut), required=True,
                              metadata={"description": f"the first {MAX_DIFFERENCES}"})


class InterchangeReconciliationOut(Schema):
    region_code = fields.String(required=True)
    from_ = fields.Date(data_key="from", required=True)
    to = fields.Date(required=True)
    ledger = fields.Nested(SideTotals, required=True)
    channels = fields.List(fields.Nested(ChannelReconciliation), required=True)
