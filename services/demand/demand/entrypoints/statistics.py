"""Statistics RPCs: the supervisors' demand figures, and the evaluation and dispute figures
alone (internal)."""
from __future__ import annotations

from timebank_common.schemas import load
from timebank_common.service import rpc

from ..app import statistics
from ..contracts import DemandStatsOut, FeedbackStatsOut, FeedbackStatsQuery, StatsIn
from .base import EntrypointBase


class StatisticsEntrypoints(EntrypointBase):
    @rpc(returns=DemandStatsOut)
    def demand_stats(self, caller, region_code=None, period_from=None, period_to=None):
        """Demands submitted in the period (China dates) in a region: by status, category and
        channel; time to publication and to first assignment; completion rate; satisfaction,
        disputes and no-shows; recording timeliness (reports to the station and the
        township). Admins, auditors, API clients; region in scope."""
        query = load(StatsIn(), {"region_code": region_code, "period_from": period_from,
                                 "period_to": period_to})
        return statistics.demand_stats(self.db, caller, query["region_code"],
                                       query["period_from"], query["period_to"])

    @rpc(returns=FeedbackStatsOut, internal=True)
    def feedback_stats(self, region_prefix, period_from=None, period_to=None):
        """Evaluations and disputes of a region prefix and period."""
        query = load(FeedbackStatsQuery(), {"region_prefix": region_prefix,
                                            "period_from": period_from,
                                            "period_to": period_to})
        return statistics.feedback_stats(self.db, query["region_prefix"],
                                         query["period_from"], query["period_to"])
