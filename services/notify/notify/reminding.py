"""Reminders 24 hours and 1 hour before an assigned service, kept in notify's database.

``schedule`` (from ``demand_assigned``) writes one row per person and lead — unique, so a
redelivered event adds nothing; ``cancel`` (from ``demand_cancelled`` / ``assignment_withdrawn``)
marks what is still scheduled. ``fire_due`` runs on a timer: each due row is claimed with
``FOR UPDATE SKIP LOCKED`` and, in one transaction, becomes its messages and is marked
``sent``: a restart neither loses a reminder (the row waits) nor repeats one (the row is
``sent`` exactly when its message exists; the message is unique per reminder anyway).
"""
from __future__ import annotations

import datetime as dt

from timebank_common.errors import Unavailable

from . import metrics, notifying
from . import repository as repo
from .domain import messages
from .domain.formatting import parse_time
from .domain.reminders import reminder_times


def schedule(uow, payload: dict, now: dt.datetime) -> int:
    start = parse_time(payload["window_start"])
    end = parse_time(payload["window_end"])
    volunteer = str(payload["volunteer_id"])
    people = [(volunteer, "volunteer", volunteer)]
    if payload.get("elder_id"):  # one reminder for the elder, however many volunteers come
        people.append((str(payload["elder_id"]), "elder", ANY_VOLUNTEER))
    rows = [{"demand_id": payload["demand_id"], "person_id": person, "role": role,
             "volunteer_id": for_volunteer, "lead": lead, "due_at": due,
             "window_start": start, "window_end": end}
            for lead, due in reminder_times(start, now).items()
            for person, role, for_volunteer in people]
    repo.schedule_reminders(uow, rows)
    return len(rows)


NAME_GRACE = dt.timedelta(minutes=5)
ANY_VOLUNTEER = ""  # the elder's rows: not tied to one volunteer


def cancel_for_volunteer(uow, demand_id: str, volunteer_id: str) -> None:
    """One volunteer no longer comes: their reminders go, and the elder's too when nobody
    is left coming."""
    repo.cancel_reminders(uow, demand_id, volunteer_id)
    if not repo.volunteers_coming(uow, demand_id):
        repo.cancel_reminders(uow, demand_id, ANY_VOLUNTEER)


def fire_due(db, names, now_fn, limit: int = 50) -> int:
    """Send up to ``limit`` due reminders. ``names(ids)`` gives the volunteer's name or raises
    ``Unavailable``: the reminder then waits for the next tick, unless it is already
    ``NAME_GRACE`` late — then it goes with "a volunteer" instead of the name."""
    fired = 0
    while fired < limit:
        with db() as uow:
            row = repo.claim_due_reminder(uow, now_fn())
            if row is None:
                return fired
            reminder = {**row._mapping, "window_start": row.window_start.isoformat(),
                        "window_end": row.window_end.isoformat()}
            coming = ([row.volunteer_id] if row.role != "elder"
                      else repo.volunteers_coming(uow, row.demand_id))
            try:
                known = names([*coming, row.person_id])
            except Unavailable:
                if now_fn() - row.due_at < NAME_GRACE:
                    return fired  # identity away: try again next tick
                known = {}
            notice = messages.service_reminder(reminder, known, coming)
            notifying.notify(uow, notice, f"reminder:{row.id}", now_fn(),
                             urgent=row.lead == "1h", names=known)
            repo.mark_reminder_sent(uow, row.id)
            uow.commit()
        metrics.REMINDERS.labels("sent").inc()
        fired += 1
    return fired
