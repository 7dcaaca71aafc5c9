"""Reminders before assigned services, kept until sent or cancelled."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from ..domain.reminders import CANCELLED, SCHEDULED, SENT, Reminder
from .tables import reminders


def _reminder(row) -> Reminder:
    return Reminder(id=str(row.id), demand_id=row.demand_id, person_id=row.person_id,
                    role=row.role, volunteer_id=row.volunteer_id, lead=row.lead,
                    due_at=row.due_at, window_start=row.window_start,
                    window_end=row.window_end, status=row.status)


def schedule_reminders(uow, rows: list[dict[str, Any]], now: dt.datetime) -> None:
    """Write reminder rows (``domain.reminders.reminders_to_schedule``); a repeat adds
    nothing. ``created_at`` (from the service's clock) orders the volunteers coming."""
    if rows:
        uow.execute(insert(reminders).values([{"id": str(uuid.uuid4()), **r, "created_at": now}
                                              for r in rows])
                    .on_conflict_do_nothing(constraint="reminders_once_per_lead"))


def cancel_reminders(uow, demand_id: str, volunteer_id: str | None = None) -> list[Reminder]:
    """Cancel what is still scheduled; returns the cancelled reminders (for their window)."""
    where = [reminders.c.demand_id == demand_id, reminders.c.status == SCHEDULED]
    if volunteer_id is not None:
        where.append(reminders.c.volunteer_id == volunteer_id)
    rows = uow.execute(update(reminders).where(*where).values(status=CANCELLED)
                       .returning(reminders)).all()
    return [_reminder(r) for r in rows]


def reminders_of(uow, demand_id: str) -> list[Reminder]:
    rows = uow.execute(select(reminders).where(reminders.c.demand_id == demand_id)
                       .order_by(reminders.c.due_at)).all()
    return [_reminder(r) for r in rows]


def volunteers_coming(uow, demand_id: str) -> list[str]:
    """Volunteers of a demand whose reminders were not cancelled, in assignment order."""
    rows = uow.execute(
        select(reminders.c.volunteer_id, func.min(reminders.c.created_at).label("first"))
        .where(reminders.c.demand_id == demand_id, reminders.c.role == "volunteer",
               reminders.c.status != CANCELLED)
        .group_by(reminders.c.volunteer_id).order_by(text("first"))).all()
    return [r.volunteer_id for r in rows]


def claim_due_reminder(uow, now: dt.datetime) -> Reminder | None:
    row = uow.execute(
        select(reminders).where(reminders.c.status == SCHEDULED, reminders.c.due_at <= now)
        .order_by(reminders.c.due_at).limit(1).with_for_update(skip_locked=True)).first()
    return _reminder(row) if row is not None else None


def mark_reminder_sent(uow, reminder_id: str) -> None:
    uow.execute(update(reminders).where(reminders.c.id == reminder_id)
                .values(status=SENT, fired_at=func.now()))
