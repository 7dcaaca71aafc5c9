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
    region_code = fields.String(required=True)
    deposited_minutes = fields.Integer(metadata={"description": "service credits"}, required=True)
    spent_minutes = fields.Integer(metadata={"description": "services paid from own or grant hours"}, required=True)
    gifted_minutes = fields.Integer(required=True)
    donated_minutes = fields.Integer(required=True)
    granted_minutes = fields.Integer(required=True)
    allocated_minutes = fields.Integer(metadata={"description": "from donation pools"}, required=True)
    reversed_minutes = fields.Integer(required=True)


class ChildFiguresOut(LedgerFiguresOut):
    """The same figures for one region one level down, with its name (null when unnamed)."""

    name = fields.String(allow_none=True, required=True)


class LiabilityOut(Schema):
    region_code = fields.String(metadata={"description": "a city-level unit"}, required=True)
    liability_minutes = fields.Integer(metadata={"description": "hours owed: -issuance balance"}, required=True)


class PoolOut(Schema):
    region_code = fields.String(metadata={"description": "a city-level unit"}, required=True)
    balance_minutes = fields.Integer(metadata={"description": "the donation pool's balance"}, required=True)


class FallbackOut(Schema):
    reason = fields.String(metadata={"description": "source_insufficient, source_account_missing, "
                                                    "source_frozen or no_elder_named"}, required=True)
    count = fields.Integer(required=True)
    minutes = fields.Integer(required=True)


class LedgerStatsOut(LedgerFiguresOut):
    period = fields.Dict(required=True)
    liability = fields.List(fields.Nested(LiabilityOut), required=True)
    liability_minutes = fields.Integer(required=True)
    pools = fields.List(fields.Nested(PoolOut), metadata={
        "description": "the donation pool of each city-level unit in the region, as of now"}, required=True)
    pool_minutes = fields.Integer(metadata={"description": "the pools' balances summed"}, required=True)
    fallbacks = fields.List(fields.Nested(FallbackOut), metadata={
        "description": "services in the period the issuance account paid instead of the "
                       "source the elder chose, by reason"}, required=True)
    fallback_count = fields.Integer(required=True)
    fallback_minutes = fields.Integer(required=True)
    children = fields.List(fields.Nested(ChildFiguresOut), required=True)


class InterchangeQuery(PeriodQuery):
    """``interchange_report(caller, query)``: a period of China dates, both days included
    (open ends: from the beginning / up to now)."""


class HoldingsOut(Schema):
    personal = fields.Integer(metadata={"description": "earned hours (个人账户)"}, required=True)
    grant = fields.Integer(metadata={"description": "gifted free hours of priority elders"}, required=True)
    donation_pool = fields.Integer(metadata={"description": "the unit's donation pool"}, required=True)


class InterchangeUnitOut(Schema):
    unit_code = fields.String(metadata={"description": "a city-level unit (定州, 辛集, 雄安 included)"}, required=True)
    issued_minutes = fields.Integer(metadata={
        "description": "in the period: the unit's issuance account's debits minus credits"}, required=True)
    inflow_minutes = fields.Integer(metadata={"description": "in the period, from other units"}, required=True)
    outflow_minutes = fields.Integer(metadata={"description": "in the period, to other units"}, required=True)
    opening_held_minutes = fields.Integer(metadata={
        "description": "what the unit's accounts held when the period began"}, required=True)
    held_minutes = fields.Integer(metadata={
        "description": "what the unit's accounts held at the period's end"}, required=True)
    held_by_kind = fields.Nested(HoldingsOut, required=True)
    earned_minutes = fields.Integer(metadata={
        "description": "in the period: minutes credited for services to the unit's personal "
                       "accounts, whoever paid, and a service's excess beyond the yearly cap "
                       "sent to its pool; net of reversals"}, required=True)
    granted_minutes = fields.Integer(metadata={
        "description": "in the period: grants into the unit's grant accounts, net of reversals"}, required=True)
    spent_minutes = fields.Integer(metadata={
        "description": "in the period: services paid from own, grant or pool hours of the unit "
                       "(credit and yearly-cap excess), net of reversals"}, required=True)
    spent_by_source = fields.Nested(HoldingsOut, required=True)
    reconciles = fields.Boolean(metadata={
        "description": "opening_held + issued + inflow - outflow = held"}, required=True)


class InterchangePairOut(Schema):
    from_unit = fields.String(required=True)
    to_unit = fields.String(required=True)
    minutes = fields.Integer(required=True)
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "service_credit, gift_to_relative, donation, grant, pool_allocation, "
                       "reversal, move"}, required=True)


class InterchangeTotalsOut(Schema):
    issued_minutes = fields.Integer(required=True)
    inflow_minutes = fields.Integer(required=True)
    outflow_minutes = fields.Integer(required=True)
    opening_held_minutes = fields.Integer(required=True)
    held_minutes = fields.Integer(required=True)
    earned_minutes = fields.Integer(required=True)
    granted_minutes = fields.Integer(required=True)
    spent_minutes = fields.Integer(required=True)
    earned_granted_reconciles = fields.Boolean(allow_none=True, metadata={
        "description": "across the province: opening_held + earned + granted - spent = held "
                       "(over all time: earned + granted = held + spent); null unless complete"}, required=True)


class InterchangeOut(Schema):
    period = fields.Dict(required=True)
    units = fields.List(fields.Nested(InterchangeUnitOut), required=True)
    pairs = fields.List(fields.Nested(InterchangePairOut), metadata={
        "description": "minutes that flowed from one city-level unit to another"}, required=True)
    totals = fields.Nested(InterchangeTotalsOut, metadata={"description": "the units shown, summed"}, required=True)
    complete = fields.Boolean(metadata={"description": "every unit is shown (province scope)"}, required=True)
    reconciles = fields.Boolean(metadata={
        "description": "every unit's identity holds (and the province's, when complete)"}, required=True)
