"""SQL of what volunteers did, as far as matching scores it: assignments (busy periods),
completed services and no-shows, ratings, minutes served per month, elders who rated them
well (from demand's events)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from timebank_common.clock import CHINA
from timebank_common.db import UnitOfWork

from .change_log import note_volunteers
from .tables import assignments, good_ratings, monthly_minutes, volunteer_history


def add_assignment(uow: UnitOfWork, demand_id: str, volunteer_id: str,
                   window_start: dt.datetime, window_end: dt.datetime) -> None:
    uow.execute(insert(assignments).values(demand_id=demand_id, volunteer_id=volunteer_id,
                                           window_start=window_start, window_end=window_end)
                .on_conflict_do_nothing())
    note_volunteers(uow, [volunteer_id])


def end_assignment(uow: UnitOfWork, demand_id: str, volunteer_id: str | None = None) -> None:
    stmt = delete(assignments).where(assignments.c.demand_id == demand_id)
    if volunteer_id:
        stmt = stmt.where(assignments.c.volunteer_id == volunteer_id)
    note_volunteers(uow, list(uow.execute(stmt.returning(assignments.c.volunteer_id)).scalars()))


def add_history(uow: UnitOfWork, volunteer_id: str, **increments: Any) -> None:
    base = {"completed": 0, "no_shows": 0, "rating_sum": 0.0, "rating_count": 0}
    base.update(increments)
    t = volunteer_history
    uow.execute(insert(t).values(volunteer_id=volunteer_id, **base).on_conflict_do_update(
        index_elements=[t.c.volunteer_id],
        set_={k: getattr(t.c, k) + v for k, v in increments.items()}))
    note_volunteers(uow, [volunteer_id])


def month_of(moment: dt.datetime) -> str:
    """``YYYY-MM`` of the China month ``moment`` falls in."""
    return moment.astimezone(CHINA).strftime("%Y-%m")


def add_minutes(uow: UnitOfWork, volunteer_id: str, at: dt.datetime, minutes: int) -> None:
    month = month_of(at)
    t = monthly_minutes
    uow.execute(insert(t).values(volunteer_id=volunteer_id, month=month, minutes=minutes)
                .on_conflict_do_update(index_elements=[t.c.volunteer_id, t.c.month],
                                       set_={"minutes": t.c.minutes + minutes}))
    note_volunteers(uow, [volunteer_id])


def minutes_of_month(uow: UnitOfWork, now: dt.datetime) -> dict[str, int]:
    """Minutes served this month (China time), by volunteer."""
    t = monthly_minutes
    rows = uow.execute(select(t.c.volunteer_id, t.c.minutes).where(t.c.month == month_of(now)))
    return {r.volunteer_id: r.minutes for r in rows}


def note_good_rating(uow: UnitOfWork, elder_id: str, volunteer_id: str) -> None:
    uow.execute(insert(good_ratings).values(elder_id=elder_id, volunteer_id=volunteer_id)
                .on_conflict_do_nothing())
    note_volunteers(uow, [volunteer_id])
