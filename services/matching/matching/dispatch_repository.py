"""SQL of dispatch runs, proposals, region settings and demand outcomes (statistics)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import within
from timebank_common.regions import prefix_of

from .tables import demand_outcomes, dispatch_runs, proposals, region_settings


def auto_apply_for(uow, region_code: str) -> bool:
    """The setting of the nearest enclosing region that has one; held for approval by default."""
    rows = uow.execute(select(region_settings)).all()
    best = None
    for r in rows:
        if region_code.startswith(prefix_of(r.region_code)) and (
                best is None or len(prefix_of(r.region_code)) > len(prefix_of(best.region_code))):
            best = r
    return bool(best and best.auto_apply)


def set_auto_apply(uow, region_code: str, auto_apply: bool, by: str, now: dt.datetime) -> None:
    values = {"auto_apply": auto_apply, "updated_by": by, "updated_at": now}
    uow.execute(insert(region_settings).values(region_code=region_code, **values)
                .on_conflict_do_update(index_elements=[region_settings.c.region_code], set_=values))


def save_run(uow, run: dict, rows: list[dict]) -> None:
    uow.execute(insert(dispatch_runs).values(**run))
    if rows:
        uow.execute(insert(proposals), rows)


def set_proposal_status(uow, proposal_id: str, status: str, by: str | None, now: dt.datetime,
                        error: str | None = None) -> None:
    uow.execute(update(proposals).where(proposals.c.proposal_id == proposal_id)
                .values(status=status, decided_by=by, decided_at=now, error=error))


def get_proposal(uow, proposal_id: str, lock: bool = False):
    stmt = select(proposals).where(proposals.c.proposal_id == proposal_id)
    return uow.execute(stmt.with_for_update() if lock else stmt).first()


def list_proposals(uow, scope: str, status: str | None, limit: int = 200) -> list:
    stmt = select(proposals).where(within(proposals.c.region_code, prefix_of(scope)))
    if status:
        stmt = stmt.where(proposals.c.status == status)
    return uow.execute(stmt.order_by(proposals.c.created_at.desc(), proposals.c.proposal_id)
                       .limit(limit)).all()


# --- outcomes ---------------------------------------------------------------------------------
def note_published(uow, demand_id: str, region_code: str, at: dt.datetime) -> None:
    uow.execute(insert(demand_outcomes).values(demand_id=demand_id, region_code=region_code,
                                               published_at=at).on_conflict_do_nothing())


def note_first(uow, demand_id: str, column: str, at: dt.datetime) -> None:
    col = demand_outcomes.c[column]
    uow.execute(update(demand_outcomes).where(demand_outcomes.c.demand_id == demand_id,
                                              col.is_(None)).values({column: at}))


def stats(uow, region_code: str, since: dt.datetime | None, until: dt.datetime | None) -> dict:
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
    outcomes = dict(uow.execute(select(p.c.status, func.count()).where(*pwhere)
                                .group_by(p.c.status)).all())
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
