"""Reconciliation of the ledger's service credits with demand's service records
(``reconcile``, internal; also ``python -m ledger.commands.reconcile``)."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .statistics import PeriodIn
from .values import REGION_CODE


class ReconcileIn(PeriodIn):
    """``reconcile(region_code, period_from, period_to)``: all three required."""

    region_code = fields.String(required=True, validate=REGION_CODE)
    period_from = fields.Date(required=True)
    period_to = fields.Date(required=True)


class MissingCreditOut(Schema):
    record_id = fields.String()
    demand_id = fields.String()
    volunteer_id = fields.String()
    minutes = fields.Integer()
    recorded_at = fields.String(allow_none=True)


class OrphanCreditOut(Schema):
    record_id = fields.String()
    transfer_id = fields.String()
    volunteer_id = fields.String(allow_none=True)
    minutes = fields.Integer()
    reversed_minutes = fields.Integer()


class AmountDifferenceOut(Schema):
    record_id = fields.String()
    transfer_id = fields.String()
    recorded_minutes = fields.Integer()
    credited_minutes = fields.Integer()
    difference = fields.Integer(metadata={"description": "credited - recorded"})
    reason = fields.String(allow_none=True, metadata={"description": "e.g. rounding, when known"})
    explained = fields.Boolean()
    reversed_minutes = fields.Integer()


class ReconcileTotalsOut(Schema):
    records = fields.Integer()
    recorded_minutes = fields.Integer()
    credited_records = fields.Integer()
    credited_minutes = fields.Integer()
    reversed_minutes = fields.Integer()
    records_without_credit = fields.Integer()
    credits_without_record = fields.Integer()
    amount_differences = fields.Integer()


class ReconcileOut(Schema):
    region_code = fields.String()
    period = fields.Dict()
    ok = fields.Boolean()
    records_without_credit = fields.List(fields.Nested(MissingCreditOut))
    credits_without_record = fields.List(fields.Nested(OrphanCreditOut))
    amount_differences = fields.List(fields.Nested(AmountDifferenceOut))
    totals = fields.Nested(ReconcileTotalsOut)


class ServiceCreditsIn(Schema):
    """``service_credits(query)``: ``record_ids`` (at most 1000), or a region and period (a
    page of at most ``limit`` records after ``after``, in record id order)."""

    record_ids = fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                             validate=validate.Length(max=1000))
    region_code = fields.String(validate=REGION_CODE)
    period_from = fields.Date()
    period_to = fields.Date()
    after = fields.String(allow_none=True, validate=validate.Length(max=64))
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=1000))

    @validates_schema
    def _mode(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("record_ids"):
            return
        missing = [k for k in ("region_code", "period_from", "period_to") if not data.get(k)]
        if missing:
            raise ValidationError("record_ids, or region_code, period_from and period_to",
                                  missing[0])
        if data["period_to"] < data["period_from"]:
            raise ValidationError("period_to is before period_from", "period_to")


class ServiceCreditOut(Schema):
    record_id = fields.String()
    transfer_id = fields.String()
    volunteer_id = fields.String(allow_none=True)
    minutes = fields.Integer(metadata={"description": "credited"})
    reversed_minutes = fields.Integer()
    credited_minutes = fields.Integer(metadata={"description": "minutes - reversed_minutes"})


class ServiceCreditsOut(Schema):
    items = fields.List(fields.Nested(ServiceCreditOut))
    next_after = fields.String(allow_none=True,
                               metadata={"description": "the next page's ``after``; null: done"})
