"""The rows and counts demand statistics are made of, per region prefix and period (China
dates, both included, or ``[start, end)`` instants), in a unit of work's session. The figures
themselves are ``domain/statistics.py``."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, func, select

from timebank_common.db import within
from timebank_common.periods import day_bounds

from ..contracts.enums import RECORD_REJECTED, VOIDED
from ..domain.evaluation import LOW_SCORE
from ..domain.statistics import DemandRow
from .rows import utc
from .tables import assignments, demands, disputes, evaluations, service_records


def _within(column, start, end) -> list:
    clauses = []
    if start is not None:
        clauses.append(column >= start)
    if end is not None:
        clauses.append(column < end)
    return clauses


def demand_rows(uow, prefix: str, start: dt.datetime | None, end: dt.datetime | None
                ) -> list[DemandRow]:
    """The demands of a region submitted in ``[start, end)``, with their first assignment."""
    d = demands.c
    first = (select(assignments.c.demand_id, func.min(assignments.c.assigned_at).label("first"))
             .group_by(assignments.c.demand_id).subquery())
    conditions = [within(d.region_code, prefix)]
    if start is not None:
        conditions.append(d.created_at >= start)
    if end is not None:
        conditions.append(d.created_at < end)
    # approved: reviewed without a rejection (a rejection always has its reason)
    published_at = case((and_(d.reviewed_at.is_not(None), d.reject_reason.is_(None)),
                         d.reviewed_at), else_=None)
    rows = uow.execute(
        select(d.status, d.category, d.channel, d.created_at, published_at.label("published_at"),
               first.c.first, d.cancel_reason)
        .select_from(demands.outerjoin(first, first.c.demand_id == d.id))
        .where(*conditions)).all()
    return [DemandRow(r.status, r.category, r.channel, utc(r.created_at), utc(r.published_at),
                      utc(r.first), r.first is not None, r.cancel_reason) for r in rows]


def served_pairs(uow, prefix: str, start: dt.datetime | None, end: dt.datetime | None
                 ) -> list[tuple[str, str]]:
    """``(elder_id, category)`` of the services of a region recorded in ``[start, end)``
    whose record still counts (neither rejected nor voided), each pair once."""
    c = service_records.c
    rows = uow.execute(select(c.elder_id, c.category).distinct().where(
        within(c.region_code, prefix), c.status.notin_([RECORD_REJECTED, VOIDED]), *_within(c.recorded_at, start, end))).all()
    return [(r.elder_id, r.category) for r in rows]


def funding_stats(uow, prefix: str, start: dt.datetime | None, end: dt.datetime | None
                  ) -> dict:
    """The payers of the demands of a region submitted in ``[start, end)``: by source, by who
    chose it, and the fallbacks to issuance agreed at review (how many, minutes missing)."""
    d = demands.c
    mine = [within(d.region_code, prefix), *_within(d.created_at, start, end)]
    by_source = {source: n for source, n in uow.execute(
        select(d.funding_source, func.count()).where(*mine).group_by(d.funding_source)).all()}
    by_chooser = {chooser or "default": n for chooser, n in uow.execute(
        select(d.funding_chosen_by, func.count()).where(*mine)
        .group_by(d.funding_chosen_by)).all()}
    fallbacks, missing = uow.execute(
        select(func.count(), func.coalesce(func.sum(d.funding_shortfall_minutes), 0))
        .where(*mine, d.fallback_reason.is_not(None))).one()
    return {"by_source": by_source, "chosen_by": by_chooser, "fallbacks": fallbacks,
            "fallback_shortfall_minutes": int(missing)}


def evaluation_stats(uow, region_prefix: str, period_from: dt.date | None,
                     period_to: dt.date | None) -> dict:
    """``{evaluations, average_score, low_scores}`` of evaluations submitted in the period
    (voided ones not counted); ``average_score`` None when there are none."""
    start, end = day_bounds(period_from, period_to)
    c = evaluations.c
    count, average, low = uow.execute(
        select(func.count(), func.avg(c.score), func.count().filter(c.score <= LOW_SCORE))
        .where(within(c.region_code, region_prefix), c.voided.is_(False),
               *_within(c.submitted_at, start, end))).one()
    return {"evaluations": count,
            "average_score": round(float(average), 2) if average is not None else None,
            "low_scores": low}


def dispute_stats(uow, region_prefix: str, period_from: dt.date | None,
                  period_to: dt.date | None) -> dict:
    """``{disputes_opened, disputes_resolved, by_outcome}``: opened in the period, resolved
    in the period (by outcome)."""
    start, end = day_bounds(period_from, period_to)
    c = disputes.c
    mine = within(c.region_code, region_prefix)
    opened = uow.execute(select(func.count()).where(
        mine, *_within(c.opened_at, start, end))).scalar_one()
    rows = uow.execute(select(c.outcome, func.count()).where(
        mine, c.resolved_at.is_not(None), *_within(c.resolved_at, start, end))
        .group_by(c.outcome)).all()
    by_outcome = {outcome: n for outcome, n in rows}
    return {"disputes_opened": opened, "disputes_resolved": sum(by_outcome.values()),
            "by_outcome": by_outcome}
