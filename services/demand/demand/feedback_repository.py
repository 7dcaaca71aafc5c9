"""SQL for evaluations, follow-up tasks and disputes (with their steps), in a unit of
work's session."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from timebank_common.db import within

from .tables import dispute_steps, disputes, evaluations, follow_ups, service_records


def _utc(value):
    return value.astimezone(dt.UTC) if value is not None else None


def _plain(row, ids=(), times=()) -> dict:
    out = dict(row)
    for key in ids:
        out[key] = str(row[key]) if row[key] is not None else None
    for key in times:
        out[key] = _utc(row[key])
    return out


# --- evaluations ------------------------------------------------------------------------------
_EVAL_IDS = ("evaluation_id", "assignment_id", "record_id", "demand_id")


def evaluation_of(uow, assignment_id: str) -> dict | None:
    row = uow.execute(select(evaluations).where(evaluations.c.assignment_id == assignment_id)
                      ).mappings().first()
    return _plain(row, _EVAL_IDS, ("submitted_at",)) if row is not None else None


def get_evaluation(uow, evaluation_id: str) -> dict | None:
    row = uow.execute(select(evaluations).where(evaluations.c.evaluation_id == evaluation_id)
                      ).mappings().first()
    return _plain(row, _EVAL_IDS, ("submitted_at",)) if row is not None else None


def evaluation_cover(uow, assignment_ids: list[str]) -> list[tuple[str, str, bool]]:
    """``(volunteer_id, record status, evaluated)`` of each recorded assignment among these
    (a voided evaluation counts as given: it is given once per assignment). By assignment
    id: both tables are indexed on it."""
    if not assignment_ids:
        return []
    rows = uow.execute(
        select(service_records.c.volunteer_id, service_records.c.status,
               evaluations.c.evaluation_id.is_not(None))
        .select_from(service_records.outerjoin(
            evaluations, evaluations.c.assignment_id == service_records.c.assignment_id))
        .where(service_records.c.assignment_id.in_(assignment_ids))).all()
    return [(r[0], r[1], bool(r[2])) for r in rows]


def insert_evaluation(uow, row: dict) -> None:
    uow.execute(evaluations.insert().values(**row))


def void_evaluation(uow, evaluation_id: str) -> None:
    uow.execute(evaluations.update().where(evaluations.c.evaluation_id == evaluation_id)
                .values(voided=True))


# --- follow-ups -------------------------------------------------------------------------------
_FOLLOW_IDS = ("follow_up_id", "evaluation_id", "record_id", "demand_id")
_FOLLOW_TIMES = ("opened_at", "closed_at")


def insert_follow_up(uow, row: dict) -> None:
    uow.execute(follow_ups.insert().values(**row))


def follow_up_of(uow, evaluation_id: str) -> dict | None:
    row = uow.execute(select(follow_ups).where(follow_ups.c.evaluation_id == evaluation_id)
                      ).mappings().first()
    return _plain(row, _FOLLOW_IDS, _FOLLOW_TIMES) if row is not None else None


def get_follow_up(uow, follow_up_id: str, lock: bool = False) -> dict | None:
    query = select(follow_ups).where(follow_ups.c.follow_up_id == follow_up_id)
    if lock:
        query = query.with_for_update()
    row = uow.execute(query).mappings().first()
    return _plain(row, _FOLLOW_IDS, _FOLLOW_TIMES) if row is not None else None


def close_follow_up(uow, follow_up_id: str, by: str | None, at: dt.datetime, note: str) -> None:
    uow.execute(follow_ups.update().where(follow_ups.c.follow_up_id == follow_up_id)
                .values(status="closed", closed_by=by, closed_at=at, note=note))


def close_open_about_record(uow, record_id: str, kind: str, by: str | None, at: dt.datetime,
                            note: str) -> None:
    uow.execute(follow_ups.update().where(
        follow_ups.c.record_id == record_id, follow_ups.c.kind == kind,
        follow_ups.c.status == "open").values(status="closed", closed_by=by, closed_at=at,
                                              note=note))


def list_follow_ups(uow, prefix: str, status: str, kind: str | None, page: int,
                    page_size: int):
    where = [within(follow_ups.c.region_code, prefix), follow_ups.c.status == status]
    if kind:
        where.append(follow_ups.c.kind == kind)
    total = uow.execute(select(func.count()).select_from(follow_ups).where(*where)).scalar_one()
    rows = uow.execute(select(follow_ups).where(*where)
                       .order_by(follow_ups.c.opened_at, follow_ups.c.follow_up_id)
                       .limit(page_size).offset((page - 1) * page_size)).mappings()
    return [_plain(r, _FOLLOW_IDS, _FOLLOW_TIMES) for r in rows], total


# --- disputes ---------------------------------------------------------------------------------
_DISPUTE_IDS = ("dispute_id", "subject_id", "record_id", "demand_id")
_DISPUTE_TIMES = ("opened_at", "resolved_at")


def dispute_about(uow, subject: str, subject_id: str) -> dict | None:
    row = uow.execute(select(disputes).where(disputes.c.subject == subject,
                                             disputes.c.subject_id == subject_id)
                      ).mappings().first()
    return _plain(row, _DISPUTE_IDS, _DISPUTE_TIMES) if row is not None else None


def get_dispute(uow, dispute_id: str, lock: bool = False) -> dict | None:
    query = select(disputes).where(disputes.c.dispute_id == dispute_id)
    if lock:
        query = query.with_for_update()
    row = uow.execute(query).mappings().first()
    return _plain(row, _DISPUTE_IDS, _DISPUTE_TIMES) if row is not None else None


def insert_dispute(uow, row: dict) -> None:
    uow.execute(disputes.insert().values(**row))


def update_dispute(uow, dispute_id: str, **values) -> None:
    uow.execute(disputes.update().where(disputes.c.dispute_id == dispute_id).values(**values))


def add_step(uow, dispute_id: str, step: str, by: str | None, at: dt.datetime,
             note: str | None = None, details: dict | None = None) -> None:
    uow.execute(dispute_steps.insert().values(dispute_id=dispute_id, step=step, by=by, at=at,
                                              note=note, details=details or {}))


def steps_of(uow, dispute_ids: list[str]) -> dict[str, list]:
    found: dict[str, list] = {i: [] for i in dispute_ids}
    if dispute_ids:
        rows = uow.execute(select(dispute_steps).where(dispute_steps.c.dispute_id.in_(
            dispute_ids)).order_by(dispute_steps.c.id)).mappings()
        for r in rows:
            found[str(r["dispute_id"])].append({"step": r["step"], "by": r["by"],
                                                "at": _utc(r["at"]), "note": r["note"],
                                                "details": r["details"]})
    return found


def list_disputes(uow, visible, filters: dict, page: int, page_size: int):
    """``visible``: a SQL condition on ``disputes`` (scope, or the caller's own)."""
    where = [visible]
    for key in ("status", "subject"):
        if filters.get(key):
            where.append(disputes.c[key] == filters[key])
    if filters.get("region_prefix"):
        where.append(within(disputes.c.region_code, filters["region_prefix"]))
    if filters.get("demand_id"):
        where.append(disputes.c.demand_id == str(filters["demand_id"]))
    total = uow.execute(select(func.count()).select_from(disputes).where(*where)).scalar_one()
    rows = uow.execute(select(disputes).where(*where)
                       .order_by(disputes.c.opened_at.desc(), disputes.c.dispute_id)
                       .limit(page_size).offset((page - 1) * page_size)).mappings()
    return [_plain(r, _DISPUTE_IDS, _DISPUTE_TIMES) for r in rows], total
