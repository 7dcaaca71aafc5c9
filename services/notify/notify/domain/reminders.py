"""Reminders before an assigned service: 24 hours and 1 hour before its start, to each
volunteer and (once, however many volunteers come) to the elder."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .formatting import parse_time

LEADS = {"24h": dt.timedelta(hours=24), "1h": dt.timedelta(hours=1)}
SCHEDULED, SENT, CANCELLED = "scheduled", "sent", "cancelled"
ANY_VOLUNTEER = ""  # the elder's rows: not tied to one volunteer
NAME_GRACE = dt.timedelta(minutes=5)
"""How late a reminder may wait for identity to name the volunteer before it goes with
"a volunteer" instead."""


@dataclass(frozen=True)
class Reminder:
    """One reminder of one person for one service and lead (``24h`` / ``1h``)."""

    id: str
    demand_id: str
    person_id: str
    role: str  # volunteer | elder
    volunteer_id: str  # the volunteer it is about; ANY_VOLUNTEER for the elder's
    lead: str
    due_at: dt.datetime
    window_start: dt.datetime
    window_end: dt.datetime
    status: str = SCHEDULED

    def as_values(self) -> dict[str, Any]:
        """What the reminder's message is built from (the window as ISO 8601 text)."""
        return {"demand_id": self.demand_id, "person_id": self.person_id, "role": self.role,
                "volunteer_id": self.volunteer_id, "lead": self.lead,
                "window_start": self.window_start.isoformat(),
                "window_end": self.window_end.isoformat()}


def reminder_times(window_start: dt.datetime, now: dt.datetime) -> dict[str, dt.datetime]:
    """Lead → when to remind; a lead whose time has already passed is left out (assigned
    20 hours ahead: only the 1-hour reminder), and nothing for a service already begun."""
    return {lead: window_start - gap for lead, gap in LEADS.items()
            if window_start - gap > now}


def reminders_to_schedule(assignment: Mapping[str, Any], now: dt.datetime
                          ) -> list[dict[str, Any]]:
    """The reminder rows a ``demand_assigned`` makes: per lead still to come, one for the
    volunteer and one for the elder (the elder's not tied to a volunteer, so a group service
    reminds them once)."""
    start = parse_time(assignment["window_start"])
    end = parse_time(assignment["window_end"])
    volunteer = str(assignment["volunteer_id"])
    people = [(volunteer, "volunteer", volunteer)]
    if assignment.get("elder_id"):
        people.append((str(assignment["elder_id"]), "elder", ANY_VOLUNTEER))
    return [{"demand_id": assignment["demand_id"], "person_id": person, "role": role,
             "volunteer_id": for_volunteer, "lead": lead, "due_at": due,
             "window_start": start, "window_end": end}
            for lead, due in reminder_times(start, now).items()
            for person, role, for_volunteer in people]


def is_urgent_cancellation(window_start: dt.datetime, now: dt.datetime,
                           within: dt.timedelta = dt.timedelta(hours=2),
                           window_end: dt.datetime | None = None) -> bool:
    """A cancellation of a service due within 2 hours overrides quiet hours — unless its
    window is already over (a demand expired unserved, a last no-show): nobody is on the way
    and nothing can be done at once, so it waits for the morning like any other message."""
    if window_end is not None and window_end <= now:
        return False
    return window_start - now <= within


def may_go_without_names(reminder: Reminder, now: dt.datetime) -> bool:
    """Identity did not name the volunteers: the reminder waits for the next tick, unless it
    is already ``NAME_GRACE`` late — then it goes with "a volunteer"."""
    return now - reminder.due_at >= NAME_GRACE


def urgent_cancellation(window: Mapping[str, Any], now: dt.datetime) -> bool:
    """Whether the cancellation of a service in ``window`` (ISO 8601 ``window_start`` and
    ``window_end``; unknown for some older events) overrides quiet hours."""
    if not window.get("window_start"):
        return False
    end = window.get("window_end")
    return is_urgent_cancellation(parse_time(window["window_start"]), now,
                                  window_end=parse_time(end) if end else None)
