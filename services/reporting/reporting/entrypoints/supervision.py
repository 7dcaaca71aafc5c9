"""RPC: the supervisor's series and breakdowns; the lag gauge kept fresh between scrapes."""
from __future__ import annotations

import logging
from typing import Any

from timebank_common.service import rpc, scheduled

from ..adapters import backlog
from ..adapters.metrics import EVENTS_WAITING
from ..app import demand_figures, overview, series
from ..app.freshness import freshness
from ..contracts import (
    BreakdownOut,
    BreakdownQuery,
    DemandFiguresOut,
    DemandFiguresQuery,
    MatchingFiguresOut,
    OverviewOut,
    OverviewQuery,
    SeriesOut,
    SeriesQuery,
)
from .base import ReportingEntrypoints

log = logging.getLogger(__name__)


class SupervisionEntrypoints(ReportingEntrypoints):
    @rpc(args={"query": SeriesQuery}, returns=SeriesOut)
    def series(self, caller, query) -> dict[str, Any]:
        """One row per period (day, week, month, quarter, year) of a region in scope."""
        dumped: dict[str, Any] = SeriesOut().dump(
            series.series(self.db, caller, query, self.clock.now()))
        return dumped

    @rpc(args={"query": BreakdownQuery}, returns=BreakdownOut)
    def breakdown(self, caller, query) -> dict[str, Any]:
        """One row per child region of a region in scope, over a span of days."""
        dumped: dict[str, Any] = BreakdownOut().dump(
            series.breakdown(self.db, caller, query, self.clock.now()))
        return dumped

    @rpc(args={"query": OverviewQuery}, returns=OverviewOut)
    def overview(self, caller, query) -> dict[str, Any]:
        """A region's figures over a span of days, from the read model (supervision)."""
        dumped: dict[str, Any] = OverviewOut().dump(
            overview.overview(self.db, caller, query, self.clock.now()))
        return dumped

    @rpc(args={"query": DemandFiguresQuery}, returns=DemandFiguresOut)
    def demand_figures(self, caller, query) -> dict[str, Any]:
        """demand's counts, waits (exact medians) and completion of a region's demands
        submitted in a span, from demand's events (demand's own schemas)."""
        dumped: dict[str, Any] = DemandFiguresOut().dump(
            demand_figures.demand_figures(self.db, caller, query))
        return dumped

    @rpc(args={"query": DemandFiguresQuery}, returns=MatchingFiguresOut)
    def matching_figures(self, caller, query) -> dict[str, Any]:
        """matching's match rate, first candidates (exact median) and dispatch of a region
        and span, from demand's and matching's events (matching's own schema)."""
        dumped: dict[str, Any] = MatchingFiguresOut().dump(
            demand_figures.matching_figures_of(self.db, caller, query))
        return dumped

    @scheduled("LAG_REFRESH_SECONDS", 15)
    def refresh_lag(self) -> None:
        """The lag gauges: behind the newest event applied, and events still queued."""
        with self.db() as uow:
            freshness(uow, self.clock.now())
        try:
            EVENTS_WAITING.set(backlog.waiting(self.config["AMQP_URI"],
                                               backlog.event_queue_names(type(self))))
        except Exception:  # broker away: /health says so; no stale value
            EVENTS_WAITING.clear()
            log.warning("could not read reporting's queue depths", exc_info=True)
