"""SQL of evaluations and the follow-up tasks they (and overdue confirmations) open, in a
unit of work's session."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from timebank_common.db import within

from .rows import utc
from .tables import evaluations, follow_ups, service_records


def _plain(row, ids=(), times=()) -> dict:
    out = dict(row)
    for key in ids:
        out[key] = str(row[key]) if row[key] is not None else None
    for key in times:
        out[key] = utc(row[key])
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


def evaluation_cover(uow, assignment_ids: list[str | None]) -> list[tuple[str, str, bool]]:
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
