"""The supervisor's figures: the inputs and answers of the ``series`` and ``breakdown`` RPCs,
the measures reporting keeps and who may read them."""
from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from timebank_common.caller import ADMIN_ROLES
from timebank_common.schemas import AsciiPattern

REPORT_READERS = (*ADMIN_ROLES, "auditor", "api_client")
"""Who reads supervisor figures: admins and auditors of their region, municipal systems of
their city (always checked against the caller's scope in the service)."""

PERIODS = ("day", "week", "month", "quarter", "year")
"""How a series is bucketed, in China time (a week starts on Monday)."""

SUMMED_MEASURES = (
    "services_recorded", "service_minutes",
    "minutes_credited", "minutes_spent", "minutes_gifted", "minutes_donated",
    "demands_submitted", "demands_published", "demands_served", "demands_expired",
    "demands_cancelled",
    "evaluations", "evaluation_score_sum",
    "disputes_opened", "disputes_resolved",
    "records_held",
    "volunteers_registered", "volunteers_eligible", "elders_registered",
    "minutes_granted", "minutes_allocated", "minutes_reversed",
    "publication_wait_seconds", "service_wait_seconds",
    "services_unrecorded", "priority_elders",
)
"""Measures that add up over days and regions (a period's value is the sum of its days).
``minutes_credited`` is gross: ``minutes_reversed`` (taken back by dispute outcomes, a positive
sum) is kept apart. Mean waits: ``publication_wait_seconds / demands_published`` and
``service_wait_seconds / demands_served``. ``priority_elders`` is the change (granted +1,
withdrawn −1, by hardship category as the category); the number held on a day is the sum of
every change up to it (``overview``)."""
ACTIVE_VOLUNTEERS = "active_volunteers"
"""Distinct volunteers with a recorded service in the 90 China days up to the period's last
day (not a sum: computed from the service days kept for it)."""
ELDERS_SERVED = "elders_served"
"""Distinct elders with a recorded service in the period (not a sum: an elder served in two
months counts once in their quarter; computed from the elder service days kept for it)."""
MEASURES = (*SUMMED_MEASURES, ACTIVE_VOLUNTEERS, ELDERS_SERVED)

MEASURE_NAMES: dict[str, tuple[str, str]] = {
    "services_recorded": ("服务记录数", "Services recorded"),
    "service_minutes": ("服务分钟数", "Service minutes"),
    "minutes_credited": ("入账分钟数", "Minutes credited"),
    "minutes_spent": ("消费分钟数", "Minutes spent"),
    "minutes_gifted": ("赠与分钟数", "Minutes gifted"),
    "minutes_donated": ("捐赠分钟数", "Minutes donated"),
    "demands_submitted": ("提交需求数", "Demands submitted"),
    "demands_published": ("发布需求数", "Demands published"),
    "demands_served": ("已服务需求数", "Demands served"),
    "demands_expired": ("过期需求数", "Demands expired"),
    "demands_cancelled": ("取消需求数", "Demands cancelled"),
    "evaluations": ("评价数", "Evaluations"),
    "evaluation_score_sum": ("评分合计", "Evaluation score sum"),
    "disputes_opened": ("提出争议数", "Disputes opened"),
    "disputes_resolved": ("解决争议数", "Disputes resolved"),
    "records_held": ("暂缓记录数", "Records held"),
    "volunteers_registered": ("注册志愿者数", "Volunteers registered"),
    "volunteers_eligible": ("合格志愿者数", "Volunteers eligible"),
    "elders_registered": ("注册老年人数", "Elders registered"),
    "minutes_granted": ("发放分钟数", "Minutes granted"),
    "minutes_allocated": ("调剂分钟数", "Minutes allocated"),
    "minutes_reversed": ("冲回分钟数", "Minutes reversed"),
    "publication_wait_seconds": ("待发布等待秒数合计", "Seconds waited for publication"),
    "service_wait_seconds": ("待服务等待秒数合计", "Seconds waited for service"),
    "services_unrecorded": ("未登记服务数", "Services not recorded in time"),
    "priority_elders": ("困难老人变动数", "Change in priority elders"),
    "active_volunteers": ("活跃志愿者数", "Active volunteers"),
    "elders_served": ("服务老人数", "Elders served"),
}
"""Each measure's name in Chinese and English (file headers, reports)."""
MAX_DAYS = 366 * 5
"""The longest span one query may cover (five years)."""
MAX_ROWS = 400
"""At most this many periods in one series (e.g. a year of days, 30 years of months)."""

FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
"""The days a query may name (a period beyond them has no calendar here)."""
DAYS = validate.Range(min=FIRST_DAY, max=LAST_DAY,
                      error="a day from 2000-01-01 to 2099-12-31 / 日期须在 2000-01-01 至 "
                            "2099-12-31 之间")

REGION_CODE = AsciiPattern(r"^[0-9]{12}$", error="12 digits / 12 位区划代码")


class MeasureList(fields.List):  # type: ignore[type-arg]
    """A list of measures, or (in an HTTP query string) their names separated by commas."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            value = [name.strip() for name in value.split(",") if name.strip()]
        return super()._deserialize(value, attr, data, **kwargs)


class RegionSpan(Schema):
    """A region in the caller's scope and a span of China days (`from`, `to`, both included,
    at most `MAX_DAYS`)."""

    region_code = fields.String(required=True, validate=REGION_CODE,
                                metadata={"example": "130100000000"})
    from_ = fields.Date(required=True, data_key="from", validate=DAYS,
                        metadata={"description": "first China day, included"})
    to = fields.Date(required=True, validate=DAYS,
                     metadata={"description": "last China day, included"})

    @validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "from_" in data and "to" in data:
            if data["to"] < data["from_"]:
                raise ValidationError("`to` is before `from` / 结束日期早于开始日期", "to")
            if (data["to"] - data["from_"]).days >= MAX_DAYS:
                raise ValidationError(
                    f"at most {MAX_DAYS} days / 查询跨度不能超过 {MAX_DAYS} 天", "to")


class SeriesQuery(RegionSpan):
    """One row per period from ``from`` to ``to`` for a region in the caller's scope."""

    period = fields.String(load_default="month", validate=validate.OneOf(PERIODS))
    measures = MeasureList(fields.String(validate=validate.OneOf(MEASURES)),
                           load_default=lambda: list(SUMMED_MEASURES),
                           validate=validate.Length(min=1, max=len(MEASURES)),
                           metadata={"description": "which measures (default: every summed "
                                                    "one); comma-separated over HTTP"})


class BreakdownQuery(RegionSpan):
    """One row per child region one level below ``region_code`` (province → cities → counties
    → townships → communities)."""


class Freshness(Schema):
    """How far behind the read model is: ``as_of`` the occurred_at of the newest event
    applied (null: none yet), ``lag_seconds`` now minus that."""

    as_of = fields.AwareDateTime(format="iso", required=True, allow_none=True)
    lag_seconds = fields.Float(required=True, allow_none=True)


class SeriesRow(Schema):
    period = fields.String(required=True, metadata={"example": "2026-11",
                                                    "description": "the period's label"})
    start = fields.Date(required=True, metadata={"description": "first day of the period"})
    end = fields.Date(required=True, metadata={"description": "last day (within the query)"})
    values = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class SeriesOut(Freshness):
    region_code = fields.String(required=True)
    period = fields.String(required=True, validate=validate.OneOf(PERIODS))
    measures = MeasureList(fields.String(), required=True)
    rows = fields.List(fields.Nested(SeriesRow), required=True)


class BreakdownRow(Schema):
    region_code = fields.String(required=True)
    values = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class BreakdownOut(Freshness):
    region_code = fields.String(required=True)
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    rows = fields.List(fields.Nested(BreakdownRow), required=True)
