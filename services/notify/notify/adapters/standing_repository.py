"""People identity recorded as deceased, and what notify stops for them: their pending
deliveries, open call tasks and scheduled reminders."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import one_of

from ..domain.call_tasks import DECEASED, DECEASED_NOTE, DONE, OPEN
from ..domain.delivery import DUE, SKIPPED
from ..domain.reminders import CANCELLED, SCHEDULED
from .tables import call_tasks, deceased_people, deliveries, reminders

RECIPIENT_DECEASED = "recipient_deceased"
"""A delivery left unsent because its recipient died (``last_error``)."""


def mark_deceased(uow, person_id: str, as_of: dt.datetime) -> None:
    stmt = insert(deceased_people).values(person_id=person_id, as_of=as_of)
    uow.execute(stmt.on_conflict_do_update(
        index_elements=[deceased_people.c.person_id], set_={"as_of": as_of},
        where=deceased_people.c.as_of <= as_of))


def mark_alive(uow, person_id: str, as_of: dt.datetime) -> None:
    """A record corrected back to active (unless a later word says deceased)."""
    uow.execute(delete(deceased_people).where(deceased_people.c.person_id == person_id,
                                              deceased_people.c.as_of <= as_of))


def deceased_among(uow, person_ids: Iterable[str]) -> set[str]:
    """Which of these people identity recorded as deceased (one statement for all)."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return set()
    return set(uow.execute(select(deceased_people.c.person_id).where(
        one_of(deceased_people.c.person_id, wanted))).scalars())


def stop_everything_for(uow, person_id: str, now: dt.datetime) -> dict[str, int]:
    """Pending deliveries to the person skipped, their open call tasks closed (outcome
    ``deceased``), their scheduled reminders cancelled; how many of each."""
    skipped = uow.execute(
        update(deliveries).where(deliveries.c.person_id == person_id,
                                 deliveries.c.status.in_(DUE))
        .values(status=SKIPPED, last_error=RECIPIENT_DECEASED, updated_at=now)
        .returning(deliveries.c.id)).all()
    closed = uow.execute(
        update(call_tasks).where(call_tasks.c.elder_id == person_id,
                                 call_tasks.c.status == OPEN)
        .values(status=DONE, outcome=DECEASED, note=DECEASED_NOTE, closed_at=func.now())
        .returning(call_tasks.c.id)).all()
    cancelled = uow.execute(
        update(reminders).where(reminders.c.person_id == person_id,
                                reminders.c.status == SCHEDULED)
        .values(status=CANCELLED).returning(reminders.c.id)).all()
    return {"deliveries": len(skipped), "call_tasks": len(closed), "reminders": len(cancelled)}
