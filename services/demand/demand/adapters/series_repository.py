"""SQL of recurring demands: the series and their occurrences (one row per series and date,
claimed in the transaction that creates its demand). In a unit of work's session."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, select
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import within

from .rows import utc
from .tables import demand_series, demands, series_occurrences


def insert_series(uow, series: dict) -> None:
    uow.execute(demand_series.insert().values(**series))


def get_series(uow, series_id: str, lock: bool = False) -> dict | None:
    query = select(demand_series).where(demand_series.c.id == series_id)
    if lock:
        query = query.with_for_update()
    row = uow.execute(query).mappings().first()
    return _series(row) if row is not None else None


def _series(r) -> dict:
    out = dict(r)
    out["id"] = str(r["id"])
    for name in ("created_at", "cancelled_at"):
        out[name] = utc(r[name])
    return out


def active_series_ids(uow, today: dt.date) -> list[str]:
    s = demand_series.c
    return [str(i) for i in uow.execute(
        select(s.id).where(s.status == "active", s.end_date >= today).order_by(s.created_at))
        .scalars()]


def list_series(uow, region_prefix: str | None, elder_id: str | None, status: str | None,
                limit: int) -> list[dict]:
    s = demand_series.c
    query = select(demand_series).order_by(s.created_at.desc(), s.id).limit(limit)
    if region_prefix is not None:
        query = query.where(within(s.region_code, region_prefix))
    if elder_id is not None:
        query = query.where(s.elder_id == elder_id)
    if status:
        query = query.where(s.status == status)
    return [_series(r) for r in uow.execute(query).mappings()]


def claim_occurrence(uow, series_id: str, day: dt.date) -> bool:
    """Take (series, date): True for the one transaction that inserted it; a concurrent
    second one waits for the first to commit and then gets False."""
    done = uow.execute(insert(series_occurrences).values(series_id=series_id, occurrence_date=day)
                       .on_conflict_do_nothing().returning(series_occurrences.c.series_id)
                       ).first()
    return done is not None


def settle_occurrence(uow, series_id: str, day: dt.date, demand_id: str | None,
                      skipped_reason: str | None) -> None:
    o = series_occurrences.c
    uow.execute(series_occurrences.update()
                .where(and_(o.series_id == series_id, o.occurrence_date == day))
                .values(demand_id=demand_id, skipped_reason=skipped_reason))


def occurrences_of(uow, series_id: str) -> list[dict]:
    o = series_occurrences.c
    rows = uow.execute(
        select(o.occurrence_date, o.demand_id, o.skipped_reason, demands.c.status,
               demands.c.window_start)
        .select_from(series_occurrences.outerjoin(demands, demands.c.id == o.demand_id))
        .where(o.series_id == series_id).order_by(o.occurrence_date)).all()
    return [{"date": r.occurrence_date, "demand_id": str(r.demand_id) if r.demand_id else None,
             "status": r.status, "window_start": utc(r.window_start),
             "skipped_reason": r.skipped_reason} for r in rows]


def future_occurrence_demands(uow, series_id: str, now: dt.datetime) -> list[str]:
    o = series_occurrences.c
    return [str(i) for i in uow.execute(
        select(o.demand_id).select_from(
            series_occurrences.join(demands, demands.c.id == o.demand_id))
        .where(o.series_id == series_id, demands.c.window_start > now)
        .order_by(demands.c.window_start)).scalars()]


def cancel_series(uow, series_id: str, by: str | None, at: dt.datetime, reason: str) -> None:
    uow.execute(demand_series.update().where(demand_series.c.id == series_id).values(
        status="cancelled", cancelled_by=by, cancelled_at=at, cancel_reason=reason))
