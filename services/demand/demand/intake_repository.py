"""SQL for intake: catalogue edits and their history, demand adjustments, review escalations,
demand series and their occurrences. In a unit of work's session, like ``repository``."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import and_, func, select
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import within

from .domain.lifecycle import SUBMITTED
from .repository import _utc
from .tables import (
    catalogue_changes,
    demand_changes,
    demand_escalations,
    demand_series,
    demands,
    series_occurrences,
    service_categories,
)

CATEGORY_FIELDS = ("code", "name_zh", "name_en", "professional", "qualifications",
                   "default_minutes", "group_allowed", "active", "sort_order")


# --- catalogue -----------------------------------------------------------------
def all_categories(uow, include_inactive: bool) -> list[dict]:
    query = select(service_categories).order_by(service_categories.c.sort_order,
                                                service_categories.c.code)
    if not include_inactive:
        query = query.where(service_categories.c.active)
    return [dict(r) for r in uow.execute(query).mappings()]


def get_category(uow, code: str, lock: bool = False) -> dict | None:
    query = select(service_categories).where(service_categories.c.code == code)
    if lock:
        query = query.with_for_update()
    row = uow.execute(query).mappings().first()
    return dict(row) if row is not None else None


def next_sort_order(uow) -> int:
    return uow.execute(select(func.coalesce(func.max(service_categories.c.sort_order), -1) + 1)
                       ).scalar_one()


def insert_category(uow, row: dict) -> bool:
    """False when the code exists already."""
    done = uow.execute(insert(service_categories).values(**row)
                       .on_conflict_do_nothing(index_elements=["code"])
                       .returning(service_categories.c.code)).first()
    return done is not None


def update_category(uow, row: dict) -> None:
    values = {k: row[k] for k in CATEGORY_FIELDS if k != "code"}
    uow.execute(service_categories.update().where(service_categories.c.code == row["code"])
                .values(**values))


def note_catalogue_change(uow, code: str, action: str, before: dict | None, after: dict,
                          by: str) -> None:
    uow.execute(catalogue_changes.insert().values(
        id=str(uuid.uuid4()), code=code, action=action, before=before, after=after,
        changed_by=by))


def catalogue_history(uow, code: str | None, limit: int) -> list[dict]:
    query = select(catalogue_changes).order_by(catalogue_changes.c.changed_at.desc(),
                                               catalogue_changes.c.id).limit(limit)
    if code:
        query = query.where(catalogue_changes.c.code == code)
    return [{**r, "id": str(r["id"]), "changed_at": _utc(r["changed_at"])}
            for r in uow.execute(query).mappings()]


# --- demand content and its history -----------------------------------------------
def save_content(uow, demand) -> None:
    """Write the adjustable content of a demand (the fields an operator may adjust)."""
    location = demand.location or {}
    uow.execute(demands.update().where(demands.c.id == demand.id).values(
        description=demand.description, address=demand.address,
        location_lat=location.get("lat"), location_lng=location.get("lng"),
        window_start=demand.window_start, window_end=demand.window_end,
        expected_minutes=demand.expected_minutes, volunteers_needed=demand.volunteers_needed,
        category=demand.category, updated_at=func.now()))


def insert_changes(uow, demand_id: str, changes: list[dict], reason: str, by: str,
                   at: dt.datetime) -> None:
    for change in changes:
        uow.execute(demand_changes.insert().values(
            id=str(uuid.uuid4()), demand_id=demand_id, field=change["field"],
            before=change["before"], after=change["after"], reason=reason, changed_by=by,
            changed_at=at))


def changes_of(uow, demand_id: str) -> list[dict]:
    rows = uow.execute(select(demand_changes).where(demand_changes.c.demand_id == demand_id)
                       .order_by(demand_changes.c.changed_at, demand_changes.c.field)).mappings()
    return [{"field": r["field"], "before": r["before"], "after": r["after"],
             "reason": r["reason"], "changed_by": r["changed_by"],
             "changed_at": _utc(r["changed_at"])} for r in rows]


# --- escalations ------------------------------------------------------------------------
def escalate_overdue(uow, due_before: dt.datetime, now: dt.datetime, limit: int) -> list[dict]:
    """Open one escalation for each demand still ``submitted`` since before ``due_before``
    and never escalated. The primary key makes a second process's insert a no-op; only the
    rows this transaction inserted are returned (its events to emit)."""
    d = demands.c
    candidates = (
        select(d.id, d.region_code, d.carrier_id, d.created_at)
        .where(d.status == SUBMITTED, d.created_at <= due_before,
               ~select(demand_escalations.c.demand_id)
               .where(demand_escalations.c.demand_id == d.id).exists())
        .order_by(d.created_at).limit(limit)
    ).subquery()
    township = func.rpad(func.substr(candidates.c.region_code, 1, 9), 12, "0")
    statement = insert(demand_escalations).from_select(
        ["demand_id", "region_code", "township_code", "carrier_id", "submitted_at",
         "escalated_at"],
        select(candidates.c.id, candidates.c.region_code, township, candidates.c.carrier_id,
               candidates.c.created_at, func.cast(now, demand_escalations.c.escalated_at.type)),
    ).on_conflict_do_nothing(index_elements=["demand_id"]).returning(*demand_escalations.c)
    return [_escalation(r) for r in uow.execute(statement).mappings()]


def _escalation(r) -> dict:
    return {"demand_id": str(r["demand_id"]), "region_code": r["region_code"],
            "township_code": r["township_code"], "carrier_id": r["carrier_id"],
            "submitted_at": _utc(r["submitted_at"]), "escalated_at": _utc(r["escalated_at"]),
            "closed_at": _utc(r["closed_at"]), "closed_reason": r["closed_reason"]}


def close_escalation(uow, demand_id: str, reason: str, at: dt.datetime) -> None:
    e = demand_escalations.c
    uow.execute(demand_escalations.update()
                .where(e.demand_id == demand_id, e.closed_at.is_(None))
                .values(closed_at=at, closed_reason=reason))


def escalations_in(uow, region_prefix: str, include_closed: bool, limit: int) -> list[dict]:
    e = demand_escalations.c
    query = (select(demand_escalations).where(within(e.region_code, region_prefix))
             .order_by(e.escalated_at, e.demand_id).limit(limit))
    if not include_closed:
        query = query.where(e.closed_at.is_(None))
    return [_escalation(r) for r in uow.execute(query).mappings()]


def escalation_of(uow, demand_id: str) -> dict | None:
    row = uow.execute(select(demand_escalations)
                      .where(demand_escalations.c.demand_id == demand_id)).mappings().first()
    return _escalation(row) if row is not None else None


# --- series ------------------------------------------------------------------------------
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
        out[name] = _utc(r[name])
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
             "status": r.status, "window_start": _utc(r.window_start),
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
