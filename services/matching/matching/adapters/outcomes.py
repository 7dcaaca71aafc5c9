"""SQL of demand outcomes (published, first candidate, first assignment) and the statistics
read from them, the dispatch runs and the proposals."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork, within
from timebank_common.regions import prefix_of

from ..contracts import FIRST_CANDIDATE_FOUND
from .tables import demand_outcomes, dispatch_runs, proposals


def note_published(uow: UnitOfWork, demand_id: str, region_code: str, at: dt.datetime) -> None:
    uow.execute(insert(demand_outcomes).values(demand_id=demand_id, region_code=region_code,
                                               published_at=at).on_conflict_do_nothing())


def note_first(uow: UnitOfWork, demand_id: str, column: str, at: dt.datetime) -> Any:
    """Set ``column`` unless set; the demand's (region_code, published_at) when this did,
    else None."""
    col = demand_outcomes.c[column]
    return uow.execute(update(demand_outcomes).where(demand_outcomes.c.demand_id == demand_id,
                                                     col.is_(None)).values({column: at})
                       .returning(demand_outcomes.c.region_code,
                                  demand_outcomes.c.published_at)).first()


def first_candidate(uow: UnitOfWork, demand_id: str, at: dt.datetime) -> None:
    """Note the demand's first candidate, and announce it (once: only the first)."""
    row = note_first(uow, demand_id, "first_candidate_at", at)
    if row is None:
        return
    published = row.published_at
    uow.emit(FIRST_CANDIDATE_FOUND, {
        "demand_id": demand_id, "region_code": row.region_code, "published_at": published,
        "found_at": at, "seconds_since_publication": None if published is None else
        round((at - published).total_seconds(), 3)}, row.region_code)


def stats(uow: UnitOfWork, region_code: str, since: dt.datetime | None,
          until: dt.datetime | None) -> dict[str, Any]:
    o = demand_outcomes
    where = [within(o.c.region_code, prefix_of(region_code))]
    if since:
        where.append(o.c.published_at >= since)
    if until:
        where.append(o.c.published_at < until)
    wait = func.extract("epoch", o.c.first_candidate_at - o.c.published_at)
    row = uow.execute(select(
        func.count(), func.count(o.c.first_assigned_at), func.count(o.c.first_candidate_at),
        func.percentile_cont(0.5).within_group(wait), func.avg(wait)).where(*where)).one()
    p = proposals
    pwhere = [within(p.c.region_code, prefix_of(region_code))]
    if since:
        pwhere.append(p.c.created_at >= since)
    if until:
        pwhere.append(p.c.created_at < until)
    outcomes = {r[0]: r[1] for r in uow.execute(select(p.c.status, func.count()).where(*pwhere)
                                                .group_by(p.c.status))}
    r = dispatch_runs
    rwhere = [within(r.c.region_code, prefix_of(region_code))]
    if since:
        rwhere.append(r.c.started_at >= since)
    if until:
        rwhere.append(r.c.started_at < until)
    runs = uow.execute(select(func.count()).select_from(r).where(*rwhere)).scalar_one()
    published, assigned, with_candidate, median_wait, mean_wait = row
    return {
        "published": published, "assigned": assigned,
        "match_rate": round(assigned / published, 4) if published else None,
        "with_candidate": with_candidate,
        "time_to_first_candidate_seconds": {
            "median": None if median_wait is None else round(float(median_wait), 1),
            "mean": None if mean_wait is None else round(float(mean_wait), 1)},
        "dispatch": {"runs": runs, "proposals": {s: outcomes.get(s, 0) for s in
                                                  ("applied", "held", "rejected", "failed")}},
    }
