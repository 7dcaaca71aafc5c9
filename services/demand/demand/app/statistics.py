"""Statistics for supervisors (issue 5 item 11): ``demand_stats`` — demands submitted in a
region and period (China dates, both included) by status, category and channel, the time to
publication and to first assignment, completion, satisfaction, disputes and no-shows — and
``feedback_stats``, the evaluation and dispute figures alone (internal).

Who: admins, auditors and API clients, for a region in their scope (their own scope when no
region is given), like identity's ``identity_stats`` and the ledger's ``ledger_stats``. The
figures are ``domain/statistics.py`` sections; the rows come from the adapters."""
from __future__ import annotations

import datetime as dt
from typing import Any, cast

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.periods import day_bounds
from timebank_common.regions import prefix_of

from ..adapters import assignment_repository, recording_overdue_repository, statistics_repository
from ..contracts import STATS_READERS
from ..domain.statistics import demand_figures, elders_served
from ..domain.timeliness import STATION, TOWNSHIP


def demand_stats(db: UnitOfWorkFactory, caller: Caller, region_code: str | None,
                 period_from: dt.date | None, period_to: dt.date | None) -> dict[str, Any]:
    caller.require(*STATS_READERS)
    region_code = region_code or caller.scope
    caller.require_scope(region_code)  # refuses a caller without a scope
    start, end = day_bounds(period_from, period_to)
    prefix = prefix_of(cast(str, region_code))
    with db() as uow:
        sections = {
            "satisfaction": statistics_repository.evaluation_stats(uow, prefix, period_from,
                                                                   period_to),
            "disputes": statistics_repository.dispute_stats(uow, prefix, period_from,
                                                            period_to),
            "reliability": assignment_repository.no_show_figures(uow, prefix, start, end),
            "funding": statistics_repository.funding_stats(uow, prefix, start, end),
            "recording": _timeliness(recording_overdue_repository.overdue_counts(
                uow, prefix, start, end)),
            "served": elders_served(statistics_repository.served_pairs(uow, prefix, start,
                                                                       end))}
        figures = demand_figures(statistics_repository.demand_rows(uow, prefix, start, end),
                                 sections)
    return {"region_code": region_code,
            "period": {"from": period_from.isoformat() if period_from else None,
                       "to": period_to.isoformat() if period_to else None},
            **figures}


def _timeliness(counts: dict[str, int]) -> dict[str, int]:
    return {"overdue_to_station": counts.get(STATION, 0),
            "overdue_to_township": counts.get(TOWNSHIP, 0)}


def feedback_stats(db: UnitOfWorkFactory, region_prefix: str, period_from: dt.date | None,
                   period_to: dt.date | None) -> dict[str, Any]:
    """Evaluations and disputes of a region prefix and period (internal)."""
    with db() as uow:
        return {**statistics_repository.evaluation_stats(uow, region_prefix, period_from,
                                                         period_to),
                **statistics_repository.dispute_stats(uow, region_prefix, period_from,
                                                      period_to)}
