"""The supervision overview: a region's figures over a span of China days, from the read
model (the ``overview`` RPC; the ``reporting`` section of the gateway's ``GET /api/v1/stats``)."""
from __future__ import annotations

from marshmallow import fields

from .series import Freshness, RegionSpan


class OverviewQuery(RegionSpan):
    """``overview(caller, {region_code, from, to})``: a region in the caller's scope and a
    span of China days (both included)."""




def _counts(description: str) -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                       metadata={"description": description})


class OverviewOut(Freshness):
    """Every summed measure over the span (``totals``: the names of ``SUMMED_MEASURES``), the
    figures that are not sums, and the means the sums give (null: nothing to average)."""

    region_code = fields.String(required=True)
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    totals = _counts("each summed measure over the span (minutes_credited gross; "
                     "minutes_reversed what dispute outcomes took back)")
    active_volunteers = fields.Integer(required=True, metadata={
        "description": "volunteers with a recorded service in the 90 days up to `to`"})
    elders_served = fields.Integer(required=True, metadata={
        "description": "服务老人数: distinct elders with a recorded service in the span"})
    elders_served_by_category = _counts(
        "of them, by the hardship categories they hold (an elder in each)")
    priority_elders_by_category = _counts(
        "elders holding each hardship category on `to` (granted − withdrawn)")
    minutes_credited_net = fields.Integer(required=True, metadata={
        "description": "minutes_credited − minutes_reversed"})
    mean_publication_wait_minutes = fields.Float(required=True, allow_none=True, metadata={
        "description": "submission to publication: publication_wait_seconds / "
                       "demands_published, in minutes"})
    mean_service_wait_minutes = fields.Float(required=True, allow_none=True, metadata={
        "description": "submission to the first check-in: service_wait_seconds / "
                       "demands_served, in minutes"})
    average_score = fields.Float(required=True, allow_none=True, metadata={
        "description": "satisfaction: evaluation_score_sum / evaluations"})


