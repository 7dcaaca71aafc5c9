"""The commendation lists (表扬奖励) of a region and period: the ``commendation`` RPC's input
and answer (what each list is: ``reporting/domain/commendation.py`` and the README)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .series import Freshness, RegionSpan

MAX_COMMENDED = 100


class CommendationQuery(RegionSpan):
    """A region in the caller's scope, a span of China days, at most ``limit`` rows per list
    (per star level for the star levels reached)."""

    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=MAX_COMMENDED))


class MilestoneRow(Schema):
    person_id = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "masked (张*明)"})
    level = fields.Integer(required=True, metadata={"description": "star level reached"})
    cumulative_minutes = fields.Integer(required=True)
    day = fields.Date(required=True, metadata={"description": "China day it was reached"})


class StationServicesRow(Schema):
    rank = fields.Integer(required=True)
    carrier_id = fields.String(required=True)
    name = fields.String(required=True)
    services = fields.Integer(required=True)
    minutes = fields.Integer(required=True, metadata={
        "description": "credited minutes where credited, else recorded"})


class StationRatingRow(Schema):
    rank = fields.Integer(required=True)
    carrier_id = fields.String(required=True)
    name = fields.String(required=True)
    evaluations = fields.Integer(required=True)
    mean_score = fields.Float(required=True)


class LongServingRow(Schema):
    rank = fields.Integer(required=True)
    volunteer_id = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "masked (张*明)"})
    months_served = fields.Integer(required=True)
    days_served = fields.Integer(required=True, metadata={
        "description": "service days in those months"})


class CommendationOut(Freshness):
    region_code = fields.String(required=True)
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    long_service_months = fields.Integer(required=True, metadata={
        "description": "long-serving: served in each of this many months ending with `to`'s"})
    min_evaluations = fields.Integer(required=True, metadata={
        "description": "best-rated: stations with at least this many evaluations"})
    milestones = fields.List(fields.Nested(MilestoneRow), required=True)
    busiest_stations = fields.List(fields.Nested(StationServicesRow), required=True)
    best_rated_stations = fields.List(fields.Nested(StationRatingRow), required=True)
    long_serving = fields.List(fields.Nested(LongServingRow), required=True)
