"""SQL of service records: their state, audit and the evidence look-ups, in a unit of
work's session."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from timebank_common.db import within

from ..contracts.enums import RECORD_REJECTED, VOIDED
from ..domain.recording import Record
from .rows import utc
from .tables import assignments, record_audit, service_records

_STATE = ("confirmation", "confirmed_by", "confirmed_by_person", "confirmed_at",
          "confirmation_note", "review", "reviewed_by", "reviewed_at", "review_reason",
          "sent_at", "voided")
_TIMES = ("recorded_at", "confirmed_at", "reviewed_at", "sent_at", "overdue_reported_at")


def _row(row) -> dict:
    record = dict(row)
    for key in ("record_id", "demand_id", "assignment_id"):
        record[key] = str(row[key])
    for key in _TIMES:
        record[key] = utc(row[key])
    return record


def state_of(row: dict) -> Record:
    return Record(record_id=row["record_id"], minutes=row["minutes"], flags=list(row["flags"]),
                  **{k: row[k] for k in _STATE})


def get(uow, record_id: str, lock: bool = False) -> dict | None:
    query = select(service_records).where(service_records.c.record_id == record_id)
    if lock:
        query = query.with_for_update()
    row = uow.execute(query).mappings().first()
    return _row(row) if row is not None else None


def of_assignment(uow, assignment_id: str) -> dict | None:
    row = uow.execute(select(service_records).where(
        service_records.c.assignment_id == assignment_id)).mappings().first()
    return _row(row) if row is not None else None


def of_demand(uow, demand_id: str) -> list[dict]:
    rows = uow.execute(select(service_records).where(service_records.c.demand_id == demand_id)
                       .order_by(service_records.c.recorded_at)).mappings()
    return [_row(r) for r in rows]


def insert(uow, row: dict) -> None:
    uow.execute(service_records.insert().values(**row))


def columns_of(record: Record) -> dict:
    """The state columns of a record (``status`` derived)."""
    return {**{k: getattr(record, k) for k in _STATE}, "status": record.status}


def save_state(uow, row: dict, record: Record) -> None:
    values = columns_of(record)
    uow.execute(service_records.update()
                .where(service_records.c.record_id == record.record_id).values(**values))
    row.update(values)


def update(uow, record_id: str, **values) -> None:
    uow.execute(service_records.update().where(service_records.c.record_id == record_id)
                .values(**values))


def audit(uow, record_id: str, action: str, by: str | None, at: dt.datetime,
          reason: str | None = None, details: dict | None = None) -> None:
    uow.execute(record_audit.insert().values(record_id=record_id, action=action, by=by, at=at,
                                             reason=reason, details=details or {}))


def audit_of(uow, record_id: str) -> list[dict]:
    rows = uow.execute(select(record_audit).where(record_audit.c.record_id == record_id)
                       .order_by(record_audit.c.id)).mappings()
    return [{"action": r["action"], "by": r["by"], "at": utc(r["at"]), "reason": r["reason"],
             "details": r["details"]} for r in rows]


def _counted():
    return service_records.c.status.notin_([RECORD_REJECTED, VOIDED])


def overlapping_windows(uow, volunteer_id: str, except_assignment: str, start: dt.datetime,
                        end: dt.datetime) -> list[tuple]:
    """(record_id, checked_in_at, checked_out_at) of the volunteer's other counted records
    whose check-in..out overlaps ``[start, end)`` (``rules.overlaps``): the only ones the
    evidence's overlap rule can flag. A volunteer's records of earlier days (kept for life)
    are never read, so recording costs the same for a volunteer with a thousand records."""
    rows = uow.execute(
        select(service_records.c.record_id, assignments.c.checked_in_at,
               assignments.c.checked_out_at)
        .select_from(service_records.join(assignments,
                                          assignments.c.id == service_records.c.assignment_id))
        .where(service_records.c.volunteer_id == volunteer_id, _counted(),
               service_records.c.assignment_id != except_assignment,
               assignments.c.checked_in_at < end, assignments.c.checked_out_at > start)).all()
    return [(str(r[0]), utc(r[1]), utc(r[2])) for r in rows]


def minutes_between(uow, volunteer_id: str, start: dt.datetime, end: dt.datetime) -> int:
    """The volunteer's counted recorded minutes of services checked in within [start, end)."""
    return uow.execute(
        select(func.coalesce(func.sum(service_records.c.minutes), 0))
        .select_from(service_records.join(assignments,
                                          assignments.c.id == service_records.c.assignment_id))
        .where(service_records.c.volunteer_id == volunteer_id, _counted(),
               assignments.c.checked_in_at >= start, assignments.c.checked_in_at < end)
    ).scalar_one()


def in_status(uow, status: str, region_prefix: str | None, page: int, page_size: int):
    where = [service_records.c.status == status]
    if region_prefix:
        where.append(within(service_records.c.region_code, region_prefix))
    total = uow.execute(select(func.count()).select_from(service_records).where(*where)
                        ).scalar_one()
    rows = uow.execute(select(service_records).where(*where)
                       .order_by(service_records.c.recorded_at, service_records.c.record_id)
                       .limit(page_size).offset((page - 1) * page_size)).mappings()
    return [_row(r) for r in rows], total


def overdue_unconfirmed(uow, before: dt.datetime, limit: int) -> list[dict]:
    """Unconfirmed, still waiting, recorded before ``before``, not yet reported: locked."""
    rows = uow.execute(
        select(service_records).where(
            service_records.c.confirmed_at.is_(None), service_records.c.status.notin_(
                [RECORD_REJECTED, VOIDED]),
            service_records.c.overdue_reported_at.is_(None),
            service_records.c.recorded_at < before)
        .order_by(service_records.c.recorded_at).limit(limit)
        .with_for_update(skip_locked=True)).mappings()
    return [_row(r) for r in rows]
