"""``demand_stats``: demands submitted in a region and period, for supervisors (issue 5 item 11).

Who: admins, auditors and API clients, for a region in their scope (their own scope when no
region is given), like identity's ``identity_stats`` and the ledger's ``ledger_stats``. The
period's days are China dates (both included) on the demand's submission time. The figures
are ``domain.statistics`` sections; this module only reads rows.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func, select

from timebank_common.caller import ADMIN_ROLES, Caller
from timebank_common.db import within
from timebank_common.periods import day_bounds
from timebank_common.regions import prefix_of

from . import assignment_repository, feedback_statistics
from .domain.statistics import DemandRow, demand_figures
from .repository import _utc
from .tables import assignments, demands

READERS = (*ADMIN_ROLES, "auditor", "api_client")


def demand_rows(uow, prefix: str, start: dt.datetime | None, end: dt.datetime | None
                ) -> list[DemandRow]:
    d = demands.c
    first = (select(assignments.c.demand_id, func.min(assignments.c.assigned_at).label("first"))
             .group_by(assignments.c.demand_id).subquery())
    conditions = [within(d.region_code, prefix)]
    if start is not None:
        conditions.append(d.created_at >= start)
    if end is not None:
        conditions.append(d.created_at < end)
    published_at = case((d.funding_source.is_not(None), d.reviewed_at), else_=None)
    rows = uow.execute(
        select(d.status, d.category, d.channel, d.created_at, published_at.label("published_at"),
               first.c.first, d.cancel_reason)
        .select_from(demands.outerjoin(first, first.c.demand_id == d.id))
        .where(*conditions)).all()
    return [DemandRow(r.status, r.category, r.channel, _utc(r.created_at), _utc(r.published_at),
                      _utc(r.first), r.first is not None, r.cancel_reason) for r in rows]


def demand_stats(uow, caller: Caller, region_code: str | None, period_from: dt.date | None,
                 period_to: dt.date | None, extra_sections: dict | None = None) -> dict:
    caller.require(*READERS)
    region_code = region_code or caller.scope
    caller.require_scope(region_code)
    start, end = day_bounds(period_from, period_to)
    prefix = prefix_of(region_code)
    sections = {"satisfaction": feedback_statistics.evaluation_stats(uow, prefix, period_from,
                                                                     period_to),
                "disputes": feedback_statistics.dispute_stats(uow, prefix, period_from, period_to),
                "reliability": assignment_repository.no_show_figures(uow, prefix, start, end),
                **(extra_sections or {})}
    figures = demand_figures(demand_rows(uow, prefix, start, end), sections)
    return {"region_code": region_code,
            "period": {"from": period_from.isoformat() if period_from else None,
                       "to": period_to.isoformat() if period_to else None},
            **figures}
