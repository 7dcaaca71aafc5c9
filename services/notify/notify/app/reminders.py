"""Reminders 24 hours and 1 hour before an assigned service, kept in notify's database.

``schedule`` (from ``demand_assigned``) writes one row per person and lead — unique, so a
redelivered event adds nothing; ``cancel_for_volunteer`` (``assignment_withdrawn``,
``assignment_no_show``) and ``demand_cancelled`` mark what is still scheduled. ``fire_due``
runs on a timer: each due row is claimed with ``FOR UPDATE SKIP LOCKED`` and, in one
transaction, becomes its messages and is marked ``sent``: a restart neither loses a reminder
(the row waits) nor repeats one (the row is ``sent`` exactly when its message exists; the
message is unique per reminder anyway).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from timebank_common.clock import Clock
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import Unavailable

from ..adapters import metrics
from ..adapters import reminder_repository as reminders
from ..domain import messages
from ..domain.reminders import ANY_VOLUNTEER, may_go_without_names, reminders_to_schedule
from .notifying import notify

Names = Callable[[Iterable[str | None]], Mapping[str, str]]


def schedule(uow, assignment: Mapping[str, Any], now: dt.datetime) -> int:
    """The reminders of one assignment (the leads still to come); how many rows."""
    rows = reminders_to_schedule(assignment, now)
    reminders.schedule_reminders(uow, rows, now)
    return len(rows)


def cancel_for_volunteer(uow, demand_id: str, volunteer_id: str) -> None:
    """One volunteer no longer comes: their reminders go, and the elder's too when nobody
    is left coming."""
    reminders.cancel_reminders(uow, demand_id, volunteer_id)
    if not reminders.volunteers_coming(uow, demand_id):
        reminders.cancel_reminders(uow, demand_id, ANY_VOLUNTEER)


def fire_due(db: UnitOfWorkFactory, names: Names, clock: Clock, limit: int = 50) -> int:
    """Send up to ``limit`` due reminders. ``names(ids)`` gives the volunteer's name or raises
    ``Unavailable``: the reminder then waits for the next tick, unless it is already
    ``NAME_GRACE`` late — then it goes with "a volunteer" instead of the name."""
    fired = 0
    while fired < limit:
        with db() as uow:
            reminder = reminders.claim_due_reminder(uow, clock.now())
            if reminder is None:
                return fired
            coming = ([reminder.volunteer_id] if reminder.role != "elder"
                      else reminders.volunteers_coming(uow, reminder.demand_id))
            try:
                known = names([*coming, reminder.person_id])
            except Unavailable:
                if not may_go_without_names(reminder, clock.now()):
                    return fired  # identity away: try again next tick
                known = {}
            notice = messages.service_reminder(reminder.as_values(), known, coming)
            notify(uow, notice, f"reminder:{reminder.id}", clock.now(),
                   urgent=reminder.lead == "1h", names=known)
            reminders.mark_reminder_sent(uow, reminder.id)
            uow.commit()
        metrics.REMINDERS.labels("sent").inc()
        fired += 1
    return fired
