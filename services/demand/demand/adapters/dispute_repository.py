"""SQL of disputes and their steps, in a unit of work's session."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select

from timebank_common.db import within

from .rows import utc
from .tables import dispute_steps, disputes


def _plain(row) -> dict:
    out = dict(row)
    for key in _DISPUTE_IDS:
        out[key] = str(row[key]) if row[key] is not None else None
    for key in _DISPUTE_TIMES:
        out[key] = utc(row[key])
    return out


# --- disputes ---------------------------------------------------------------------------------
_DISPUTE_IDS = ("dispute_id", "subject_id", "record_id", "demand_id")
_DISPUTE_TIMES = ("opened_at", "resolved_at")


def dispute_about(uow, subject: str, subject_id: str) -> dict | None:
    row = uow.execute(select(disputes).where(disputes.c.subject == subject,
                                             disputes.c.subject_id == subject_id)
                      ).mappings().first()
    return _plain(row) if row is not None else None


def get_dispute(uow, dispute_id: str, lock: bool = False) -> dict | None:
    query = select(disputes).where(disputes.c.dispute_id == dispute_id)
    if lock:
        query = query.with_for_update()
    row = uow.execute(query).mappings().first()
    return _plain(row) if row is not None else None


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
                                                "at": utc(r["at"]), "note": r["note"],
                                                "details": r["details"]})
    return found


def in_scope(region_prefix: str):
    """The disputes of a staff member's scope: a condition for ``list_disputes``."""
    return within(disputes.c.region_code, region_prefix)


def of_party(person_id: str):
    """The disputes of a party (the elder, the volunteer, the opener): a condition for
    ``list_disputes``."""
    c = disputes.c
    return or_(c.elder_id == person_id, c.volunteer_id == person_id, c.opened_by == person_id)


def list_disputes(uow, visible, filters: dict, page: int, page_size: int):
    """``visible``: a SQL condition on ``disputes`` (``in_scope``, or ``of_party``)."""
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
    return [_plain(r) for r in rows], total
