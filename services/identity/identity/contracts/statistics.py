"""Figures for supervisors (统计): people, carriers and station operators of a region."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema

from .common import REGION_CODE

__all__ = ["PERIOD_ENDS_BEFORE_IT_STARTS", "CarrierFigures", "ChildRegionFigures", "ElderFigures",
           "IdentityStats", "PeriodOut", "StatsQuerySchema", "VolunteerFigures"]

PERIOD_ENDS_BEFORE_IT_STARTS = "The period ends before it starts / 统计期间的结束日期早于开始日期"


class StatsQuerySchema(Schema):
    """``GET /api/v1/stats?region=&from=&to=``; the period's days are China dates, inclusive."""
    region_code = fields.Str(data_key="region", load_default=None, allow_none=True,
                             validate=REGION_CODE, metadata={
                                 "description": "12-digit region code (default: your scope)",
                                 "example": "130102000000"})
    period_from = fields.Date(data_key="from", load_default=None, allow_none=True)
    period_to = fields.Date(data_key="to", load_default=None, allow_none=True)

    @validates_schema
    def _period_in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and start > end:
            raise ValidationError(PERIOD_ENDS_BEFORE_IT_STARTS, "to")


class PeriodOut(Schema):
    period_from = fields.Str(data_key="from", required=True, allow_none=True)
    period_to = fields.Str(data_key="to", required=True, allow_none=True)


class VolunteerFigures(Schema):
    registered = fields.Int(required=True)
    new_in_period = fields.Int(required=True, allow_none=True,
                               metadata={"description": "null without a period"})
    eligible = fields.Int(required=True)
    active = fields.Int(required=True, metadata={"description": "served in the last 90 days"})
    by_background_tag = fields.Dict(keys=fields.Str(), values=fields.Int(), required=True)
    by_sex = fields.Dict(keys=fields.Str(), values=fields.Int(), required=True)
    by_age_band = fields.Dict(keys=fields.Str(), values=fields.Int(), required=True)


class ElderFigures(Schema):
    registered = fields.Int(required=True)
    new_in_period = fields.Int(required=True, allow_none=True)
    phone_only = fields.Int(required=True)
    with_any_hardship = fields.Int(required=True)
    by_hardship_category = fields.Dict(keys=fields.Str(), values=fields.Int(), required=True)
    by_age_band = fields.Dict(keys=fields.Str(), values=fields.Int(), required=True)


class CarrierFigures(Schema):
    total = fields.Int(required=True)
    by_kind = fields.Dict(keys=fields.Str(), values=fields.Int(), required=True)


class ChildRegionFigures(Schema):
    """The main figures of one region one level down (zeros included)."""
    region_code = fields.Str(required=True)
    name = fields.Str(required=True, allow_none=True)
    volunteers_registered = fields.Int(required=True)
    volunteers_new_in_period = fields.Int(required=True, allow_none=True)
    volunteers_eligible = fields.Int(required=True)
    volunteers_active = fields.Int(required=True)
    elders_registered = fields.Int(required=True)
    elders_new_in_period = fields.Int(required=True, allow_none=True)
    carriers = fields.Int(required=True)
    station_operators = fields.Int(required=True)


class IdentityStats(Schema):
    """The figures of a region in the caller's scope, and of each region one level down."""
    region_code = fields.Str(required=True)
    period = fields.Nested(PeriodOut, required=True)
    as_of = fields.Str(required=True, metadata={"description": "today's China date"})
    volunteers = fields.Nested(VolunteerFigures, required=True)
    elders = fields.Nested(ElderFigures, required=True)
    carriers = fields.Nested(CarrierFigures, required=True)
    station_operators = fields.Int(required=True)
    children = fields.List(fields.Nested(ChildRegionFigures), required=True)
