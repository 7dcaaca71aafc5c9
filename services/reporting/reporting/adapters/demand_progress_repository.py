"""Each demand's progress in SQL: the merge of a batch (one row per demand, the rules of
``domain/demand_progress.py``) and the figures of a region's demands submitted in a span —
counts grouped, and the exact medians (``percentile_cont(0.5)``) of the waits."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa

from timebank_common.db import insert_rows, within

from ..domain.demand_progress import UNKNOWN, Group, Progress, Waits
from .tables import demand_progress, service_records

MERGE = (
    "ON CONFLICT (demand_id) DO UPDATE SET "
    "region_code = COALESCE(demand_progress.region_code, excluded.region_code), "
    "category = COALESCE(demand_progress.category, excluded.category), "
    "channel = COALESCE(demand_progress.channel, excluded.channel), "
    "submitted_at = LEAST(demand_progress.submitted_at, excluded.submitted_at), "
    "submitted_day = LEAST(demand_progress.submitted_day, excluded.submitted_day), "
    "published_at = LEAST(demand_progress.published_at, excluded.published_at), "
    "first_assigned_at = LEAST(demand_progress.first_assigned_at, excluded.first_assigned_at), "
    "ever_assigned = demand_progress.ever_assigned OR excluded.ever_assigned, "
    "status_rank = GREATEST(demand_progress.status_rank, excluded.status_rank), "
    "cancel_reason = COALESCE(demand_progress.cancel_reason, excluded.cancel_reason), "
    "funding_source = COALESCE(demand_progress.funding_source, excluded.funding_source), "
    "funding_chosen_by = COALESCE(demand_progress.funding_chosen_by, "
    "excluded.funding_chosen_by), "
    "fallback = demand_progress.fallback OR excluded.fallback, "
    "shortfall_minutes = GREATEST(demand_progress.shortfall_minutes, "
    "excluded.shortfall_minutes), "
    "first_candidate_at = LEAST(demand_progress.first_candidate_at, "
    "excluded.first_candidate_at)")
"""LEAST and GREATEST ignore a NULL argument: an unknown value never replaces a known one."""


def apply(uow, progresses: Sequence[Progress]) -> None:
    """Merge one progress per demand (``domain.demand_progress.by_demand``) into the rows."""
    rows = [{"demand_id": p.demand_id, "region_code": p.region_code,
             "submitted_day": p.submitted_day, "submitted_at": p.submitted_at,
             "category": p.category, "channel": p.channel, "published_at": p.published_at,
             "first_assigned_at": p.first_assigned_at, "ever_assigned": p.ever_assigned,
             "status_rank": p.rank, "cancel_reason": p.cancel_reason,
             "funding_source": p.funding_source, "funding_chosen_by": p.funding_chosen_by,
             "fallback": p.fallback, "shortfall_minutes": p.shortfall_minutes,
             "first_candidate_at": p.first_candidate_at}
            for p in progresses]
    if rows:
        insert_rows(uow, demand_progress, rows, MERGE)


def _span(prefix: str, first: dt.date | None, last: dt.date | None) -> list[sa.ColumnElement]:
    c = demand_progress.c
    where = [within(c.region_code, prefix), c.submitted_day.is_not(None)]
    if first is not None:
        where.append(c.submitted_day >= first)
    if last is not None:
        where.append(c.submitted_day <= last)
    return where


def groups(uow, prefix: str, first: dt.date | None, last: dt.date | None) -> list[Group]:
    """The demands of a region prefix submitted in the span (China days, both included),
    counted by status, category, channel, ever assigned and cancel reason."""
    c = demand_progress.c
    keys = (c.status_rank, c.category, c.channel, c.ever_assigned, c.cancel_reason)
    query = sa.select(*keys, sa.func.count()).where(*_span(prefix, first, last)).group_by(*keys)
    return [Group(*row) for row in uow.execute(query)]


def waits(uow, prefix: str, first: dt.date | None, last: dt.date | None
          ) -> tuple[Waits, Waits]:
    """Submission to publication and to the first assignment of those demands, in minutes:
    how many, the exact median, the mean."""
    c = demand_progress.c
    columns = []
    for instant in (c.published_at, c.first_assigned_at):
        minutes = sa.func.extract("epoch", instant - c.submitted_at) / 60
        columns += [sa.func.count(instant),
                    sa.func.percentile_cont(0.5).within_group(minutes), sa.func.avg(minutes)]
    row = uow.execute(sa.select(*columns).where(*_span(prefix, first, last))).one()
    return (Waits(row[0], _float(row[1]), _float(row[2])),
            Waits(row[3], _float(row[4]), _float(row[5])))


def _float(value) -> float | None:
    return None if value is None else float(value)


def funding(uow, prefix: str, first: dt.date | None, last: dt.date | None) -> dict:
    """The payers of those demands: by source (``-``: the events did not say), by who chose
    it, and the fallbacks to issuance agreed at review (how many, minutes missing) — in one
    scan (grouping sets; ``GROUPING(source, chooser)``: 1 by source, 2 by chooser, 3 all)."""
    c = demand_progress.c
    query = (sa.select(sa.func.grouping(c.funding_source, c.funding_chosen_by),
                       c.funding_source, c.funding_chosen_by, sa.func.count(),
                       sa.func.count().filter(c.fallback),
                       sa.func.coalesce(sa.func.sum(c.shortfall_minutes)
                                        .filter(c.fallback), 0))
             .where(*_span(prefix, first, last))
             .group_by(sa.func.grouping_sets(sa.tuple_(c.funding_source),
                                             sa.tuple_(c.funding_chosen_by), sa.tuple_())))
    out: dict = {"by_source": {}, "chosen_by": {}, "fallbacks": 0,
                 "fallback_shortfall_minutes": 0}
    for grouped, source, chooser, n, fell_back, short in uow.execute(query):
        if grouped == 1:
            out["by_source"][source or UNKNOWN] = n
        elif grouped == 2:
            out["chosen_by"][chooser or UNKNOWN] = n
        else:
            out["fallbacks"], out["fallback_shortfall_minutes"] = fell_back, int(short)
    return out


def served(uow, prefix: str, first: dt.date, last: dt.date) -> tuple[int, dict[str, int]]:
    """Distinct elders of the service records of a region prefix recorded in the span, and
    by service category (an elder in each category they were served in), without the records
    a dispute voided (credited to 0 by a correction) — counted in SQL, in one scan
    (``GROUPING(category)``: 1 on the row of all categories)."""
    c = service_records.c
    counts = sa.or_(c.corrected_at.is_(None), c.credited_minutes.is_(None),
                    c.credited_minutes != 0)
    query = (sa.select(sa.func.grouping(c.category), c.category,
                       sa.func.count(sa.distinct(c.elder_id)))
             .where(within(c.region_code, prefix), c.day.between(first, last),
                    c.elder_id.is_not(None), counts)
             .group_by(sa.func.grouping_sets(sa.tuple_(c.category), sa.tuple_())))
    elders, by_category = 0, {}
    for grouped, category, n in uow.execute(query):
        if grouped:
            elders = n
        else:
            by_category[category or UNKNOWN] = n
    return elders, dict(sorted(by_category.items()))


def matching(uow, prefix: str, since: dt.datetime, until: dt.datetime) -> dict:
    """matching's figures of the demands of a region prefix published in ``[since, until)``:
    how many, how many were assigned and had a candidate, and the seconds from publication to
    the first candidate (exact median, mean)."""
    c = demand_progress.c
    wait = sa.func.extract("epoch", c.first_candidate_at - c.published_at)
    published, assigned, with_candidate, median, mean = uow.execute(sa.select(
        sa.func.count(), sa.func.count(c.first_assigned_at), sa.func.count(c.first_candidate_at),
        sa.func.percentile_cont(0.5).within_group(wait), sa.func.avg(wait)).where(
        within(c.region_code, prefix), c.published_at >= since, c.published_at < until)).one()
    return {"published": published, "assigned": assigned, "with_candidate": with_candidate,
            "median": _float(median), "mean": _float(mean)}
