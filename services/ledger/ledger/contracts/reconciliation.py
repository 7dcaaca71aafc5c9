"""Reconciliation of the ledger's service credits with demand's service records
(``reconcile``, internal; also ``python -m ledger.commands.reconcile``)."""
from __future__ import annotations

from marshmallow import Schema, fields

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
