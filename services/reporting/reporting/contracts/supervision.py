"""demand's figures of supervision from the read model (``demand_figures``): every section of
demand's own ``demand_stats`` (counts by status, category and channel, the waits with exact
medians, completion, satisfaction, disputes, no-shows, funding, recording timeliness, elders
served) of a region and span, in demand's schema (``demand.contracts.DemandStatsOut``), so a
client sees the same fields whoever answers; and matching's (``matching_figures``: match
rate, first candidates, dispatch) in matching's ``StatsOut``."""
from __future__ import annotations

from demand.contracts import DemandStatsOut
from matching.contracts import StatsOut as MatchingStatsOut

from .series import RegionSpan


class DemandFiguresQuery(RegionSpan):
    """``demand_figures(caller, {region_code, from, to})``: a region in the caller's scope
    and a span of China days (both included)."""


class DemandFiguresOut(DemandStatsOut):
    """demand's ``DemandStatsOut``, from demand's events: the demands submitted in the span
    (counts, waits, completion, funding), and the evaluations, disputes, no-shows, late
    recordings and services of the span."""


class MatchingFiguresOut(MatchingStatsOut):
    """matching's ``StatsOut``, from demand's and matching's events: the demands published in
    the span (assigned, with a candidate, the exact median wait for the first candidate),
    dispatch runs and their proposals' outcomes by the day the run made them."""
