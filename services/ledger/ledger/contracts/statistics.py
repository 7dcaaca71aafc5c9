"""Supervision figures (``ledger_stats``; the ``ledger`` key of ``GET /api/v1/stats``)."""
from __future__ import annotations

from marshmallow import Schema, fields

from timebank_common.schemas import PeriodQuery

from .values import REGION_CODE


class PeriodIn(PeriodQuery):
    """``ledger_stats(caller, region_code=None, period_from=None, period_to=None)``: a region
    (default: the caller's scope) and a period of China dates, both days included."""

    region_code = fields.String(load_default=None, allow_none=True, validate=REGION_CODE)


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


class FallbackOut(Schema):
    reason = fields.String(metadata={"description": "source_insufficient, source_account_missing, "
                                                    "source_frozen or no_elder_named"})
    count = fields.Integer()
    minutes = fields.Integer()


class LedgerStatsOut(LedgerFiguresOut):
    period = fields.Dict()
    liability = fields.List(fields.Nested(LiabilityOut))
    liability_minutes = fields.Integer()
    pools = fields.List(fields.Nested(PoolOut), metadata={
        "description": "the donation pool of each city-level unit in the region, as of now"})
    pool_minutes = fields.Integer(metadata={"description": "the pools' balances summed"})
    fallbacks = fields.List(fields.Nested(FallbackOut), metadata={
        "description": "services in the period the issuance account paid instead of the "
                       "source the elder chose, by reason"})
    fallback_count = fields.Integer()
    fallback_minutes = fields.Integer()
    children = fields.List(fields.Nested(LedgerFiguresOut))


class InterchangeQuery(PeriodQuery):
    """``interchange_report(caller, query)``: a period of China dates, both days included
    (open ends: from the beginning / up to now)."""


class HoldingsOut(Schema):
    personal = fields.Integer(metadata={"description": "earned hours (个人账户)"})
    grant = fields.Integer(metadata={"description": "gifted free hours of priority elders"})
    donation_pool = fields.Integer(metadata={"description": "the unit's donation pool"})


class InterchangeUnitOut(Schema):
    unit_code = fields.String(metadata={"description": "a city-level unit (定州, 辛集, 雄安 included)"})
    issued_minutes = fields.Integer(metadata={
        "description": "in the period: the unit's issuance account's debits minus credits"})
    inflow_minutes = fields.Integer(metadata={"description": "in the period, from other units"})
    outflow_minutes = fields.Integer(metadata={"description": "in the period, to other units"})
    opening_held_minutes = fields.Integer(metadata={
        "description": "what the unit's accounts held when the period began"})
    held_minutes = fields.Integer(metadata={
        "description": "what the unit's accounts held at the period's end"})
    held_by_kind = fields.Nested(HoldingsOut)
    earned_minutes = fields.Integer(metadata={
        "description": "in the period: minutes credited for services to the unit's personal "
                       "accounts, whoever paid, and a service's excess beyond the yearly cap "
                       "sent to its pool; net of reversals"})
    granted_minutes = fields.Integer(metadata={
        "description": "in the period: grants into the unit's grant accounts, net of reversals"})
    spent_minutes = fields.Integer(metadata={
        "description": "in the period: services paid from own, grant or pool hours of the unit "
                       "(credit and yearly-cap excess), net of reversals"})
    spent_by_source = fields.Nested(HoldingsOut)
    reconciles = fields.Boolean(metadata={
        "description": "opening_held + issued + inflow - outflow = held"})


class InterchangePairOut(Schema):
    from_unit = fields.String()
    to_unit = fields.String()
    minutes = fields.Integer()
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "service_credit, gift_to_relative, donation, grant, pool_allocation, "
                       "reversal, move"})


class InterchangeTotalsOut(Schema):
    issued_minutes = fields.Integer()
    inflow_minutes = fields.Integer()
    outflow_minutes = fields.Integer()
    opening_held_minutes = fields.Integer()
    held_minutes = fields.Integer()
    earned_minutes = fields.Integer()
    granted_minutes = fields.Integer()
    spent_minutes = fields.Integer()
    earned_granted_reconciles = fields.Boolean(allow_none=True, metadata={
        "description": "across the province: opening_held + earned + granted - spent = held "
                       "(over all time: earned + granted = held + spent); null unless complete"})


class InterchangeOut(Schema):
    period = fields.Dict()
    units = fields.List(fields.Nested(InterchangeUnitOut))
    pairs = fields.List(fields.Nested(InterchangePairOut), metadata={
        "description": "minutes that flowed from one city-level unit to another"})
    totals = fields.Nested(InterchangeTotalsOut, metadata={"description": "the units shown, summed"})
    complete = fields.Boolean(metadata={"description": "every unit is shown (province scope)"})
    reconciles = fields.Boolean(metadata={
        "description": "every unit's identity holds (and the province's, when complete)"})
