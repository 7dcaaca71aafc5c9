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
    "excluded.shortfall_minutes)")
"""LEAST and GREATEST ignore a NULL argument: an unknown value never replaces a known one."""


def apply(uow, progresses: Sequence[Progress]) -> None:
    """Merge one progress per demand (``domain.demand_progress.by_demand``) into the rows."""
    rows = [{"demand_id": p.demand_id, "region_code": p.region_code,
             "submitted_day": p.submitted_day, "submitted_at": p.submitted_at,
             "category": p.category, "channel": p.channel, "published_at": p.published_at,
             "first_assigned_at": p.first_assigned_at, "ever_assigned": p.ever_assigned,
             "status_rank": p.rank, "cancel_reason": p.cancel_reason,
             "funding_source": p.funding_source, "funding_chosen_by": p.funding_chosen_by,
             "fallback": p.fallback, "shortfall_minutes": p.shortfall_minutes}
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
    it, and the fallbacks to issuance agreed at review (how many, minutes missing)."""
    c = demand_progress.c
    span = _span(prefix, first, last)
    by_source = {source or UNKNOWN: n for source, n in uow.execute(
        sa.select(c.funding_source, sa.func.count()).where(*span)
        .group_by(c.funding_source))}
    chosen_by = {chooser or UNKNOWN: n for chooser, n in uow.execute(
        sa.select(c.funding_chosen_by, sa.func.count()).where(*span)
        .group_by(c.funding_chosen_by))}
    fallbacks, missing = uow.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(c.shortfall_minutes), 0))
        .where(*span, c.fallback)).one()
    return {"by_source": by_source, "chosen_by": chosen_by, "fallbacks": fallbacks,
            "fallback_shortfall_minutes": int(missing)}


def served_pairs(uow, prefix: str, first: dt.date, last: dt.date) -> list[tuple[str, str]]:
    """``(elder_id, category)`` of the service records of a region prefix recorded in the
    span, each pair once, without the records a dispute voided (credited to 0 by a
    correction)."""
    c = service_records.c
    counts = sa.or_(c.corrected_at.is_(None), c.credited_minutes.is_(None),
                    c.credited_minutes != 0)
    rows = uow.execute(sa.select(c.elder_id, c.category).distinct().where(
        within(c.region_code, prefix), c.day.between(first, last), c.elder_id.is_not(None),
        counts))
    return [(row[0], row[1] or UNKNOWN) for row in rows]
