"""What the gateway and other services may use of reporting, one module per capability:
``series`` (the supervisor's figures), ``overview`` (a region's figures over a span). Imports only marshmallow and the kit's pure core
(DESIGN.md §2); the events reporting consumes belong to their producers
(``demand.contracts``, ``ledger.contracts``, ``identity.contracts``)."""
from __future__ import annotations

from timebank_common.contracts import EventContract

from .overview import OverviewOut, OverviewQuery
from .series import (
    ACTIVE_VOLUNTEERS,
    DAYS,
    ELDERS_SERVED,
    FIRST_DAY,
    LAST_DAY,
    MAX_DAYS,
    MAX_ROWS,
    MEASURES,
    PERIODS,
    REGION_CODE,
    REPORT_READERS,
    SUMMED_MEASURES,
    BreakdownOut,
    BreakdownQuery,
    BreakdownRow,
    Freshness,
    MeasureList,
    RegionSpan,
    SeriesOut,
    SeriesQuery,
    SeriesRow,
)

EVENTS: tuple[EventContract, ...] = ()
"""The events reporting produces (none yet)."""

__all__ = [
    "ACTIVE_VOLUNTEERS",
    "BreakdownOut",
    "BreakdownQuery",
    "BreakdownRow",
    "DAYS",
    "Freshness",
    "MAX_DAYS",
    "MAX_ROWS",
    "MEASURES",
    "MeasureList",
    "PERIODS",
    "REGION_CODE",
    "REPORT_READERS",
    "SUMMED_MEASURES",
    "SeriesOut",
    "SeriesQuery",
    "SeriesRow",
    "RegionSpan",
    "EVENTS",
    "ELDERS_SERVED",
    "OverviewOut",
    "OverviewQuery",
    "FIRST_DAY",
    "LAST_DAY",
]
