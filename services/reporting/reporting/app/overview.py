"""A region's supervision figures over a span of China days, from the read model alone (the
``reporting`` section of ``GET /api/v1/stats``): the sums, active volunteers on the last day,
distinct elders served (and by hardship category), the priority elders held, the means."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.regions import prefix_of

from ..adapters import elder_repository, fact_repository, overview_queries
from ..contracts import REPORT_READERS, SUMMED_MEASURES
from .freshness import freshness
from .series import active_on_each


def _mean(total: int, count: int, scale: float = 1.0) -> float | None:
    return round(total / count / scale, 1) if count else None


def overview(db: UnitOfWorkFactory, caller: Caller, query: Mapping[str, Any],
             now: dt.datetime) -> dict[str, Any]:
    region = query["region_code"]
    caller.require(*REPORT_READERS)
    caller.require_scope(region)
    first, last, prefix = query["from_"], query["to"], prefix_of(region)
    with db() as uow:
        sums = overview_queries.sums_over(uow, prefix, first, last, SUMMED_MEASURES)
        active = active_on_each(fact_repository.changes_by_day(uow, prefix, last), [last])
        served = elder_repository.served_in_each(uow, prefix, [(first, last)])
        served_by = elder_repository.served_by_category(uow, prefix, first, last)
        held = overview_queries.held_by_category(uow, prefix, "priority_elders", last)
        fresh = freshness(uow, now)
    totals = {m: sums.get(m, 0) for m in SUMMED_MEASURES}
    return {
        "region_code": region, "from_": first, "to": last, "totals": totals,
        "active_volunteers": active[last], "elders_served": served.get(first, 0),
        "elders_served_by_category": served_by, "priority_elders_by_category": held,
        "minutes_credited_net": totals["minutes_credited"] - totals["minutes_reversed"],
        "mean_publication_wait_minutes": _mean(totals["publication_wait_seconds"],
                                               totals["demands_published"], 60),
        "mean_service_wait_minutes": _mean(totals["service_wait_seconds"],
                                           totals["demands_served"], 60),
        "average_score": _mean(totals["evaluation_score_sum"], totals["evaluations"]),
        **fresh}
