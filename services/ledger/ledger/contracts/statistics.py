"""Supervision figures (``ledger_stats``; the ``ledger`` key of ``GET /api/v1/stats``)."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validates_schema

from timebank_common.schemas import check_period_order

from .values import REGION_CODE


class PeriodIn(Schema):
    """``ledger_stats(caller, region_code=None, period_from=None, period_to=None)``: a region
    (default: the caller's scope) and a period of China dates, both days included."""

    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)
    period_from = fields.Date(load_default=None, allow_none=True)
    period_to = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        check_period_order(data)


class LedgerFiguresOut(Schema):
    region_code = fields.String()
    name = fields.String(allow_none=True)
    deposited_minutes = fields.Integer(metadata={"description": "service credits"})
    spent_minutes = fields.Integer(metadata={"description": "services paid from own or grant hours"})
    gifted_minutes = fields.Integer()
    donated_minutes = fields.Integer()
    granted_minutes = fields.Integer()
    allocated_minutes = fields.Integer(metadata={"description": "from donation pools"})
    reversed_minutes = fields.Integer()


class LiabilityOut(Schema):
    region_code = fields.String(metadata={"description": "a city-level unit"})
    liability_minutes = fields.Integer(metadata={"description": "hours owed: -issuance balance"})


class PoolOut(Schema):
    region_code = fields.String(metadata={"description": "a city-level unit"})
    balance_minutes = fields.Integer(metadata={"description": "the donation pool's balance"})


class LedgerStatsOut(LedgerFiguresOut):
    period = fields.Dict()
    liability = fields.List(fields.Nested(LiabilityOut))
    liability_minutes = fields.Integer()
    pools = fields.List(fields.Nested(PoolOut), metadata={
        "description": "the donation pool of each city-level unit in the region, as of now"})
    pool_minutes = fields.Integer(metadata={"description": "the pools' balances summed"})
    children = fields.List(fields.Nested(LedgerFiguresOut))
