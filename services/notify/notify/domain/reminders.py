"""Reminders before an assigned service: 24 hours and 1 hour before its start."""
from __future__ import annotations

import datetime as dt

LEADS = {"24h": dt.timedelta(hours=24), "1h": dt.timedelta(hours=1)}


def reminder_times(window_start: dt.datetime, now: dt.datetime) -> dict[str, dt.datetime]:
    """Lead → when to remind; a lead whose time has already passed is left out (assigned
    20 hours ahead: only the 1-hour reminder), and nothing for a service already begun."""
    return {lead: window_start - gap for lead, gap in LEADS.items()
            if window_start - gap > now}


def is_urgent_cancellation(window_start: dt.datetime, now: dt.datetime,
                           within: dt.timedelta = dt.timedelta(hours=2),
                           window_end: dt.datetime | None = None) -> bool:
    """A cancellation of a service due within 2 hours overrides quiet hours — unless its
    window is already over (a demand expired unserved, a last no-show): nobody is on the way
    and nothing can be done at once, so it waits for the morning like any other message."""
    if window_end is not None and window_end <= now:
        return False
    return window_start - now <= within
