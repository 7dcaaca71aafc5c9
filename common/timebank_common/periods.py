"""Periods of China dates (UTC+8, no daylight saving) as UTC instants: the shared meaning of
``from``/``to`` in reports (statistics, reconciliation). Both days are included."""
from __future__ import annotations

import datetime as dt

from .clock import CHINA


def day_bounds(first: dt.date | None, last: dt.date | None
               ) -> tuple[dt.datetime | None, dt.datetime | None]:
    """``[first 00:00, last+1 00:00)`` China time, in UTC; an open end stays None."""
    start = (dt.datetime.combine(first, dt.time(), CHINA).astimezone(dt.UTC)
             if first else None)
    end = (dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), CHINA).astimezone(dt.UTC)
           if last else None)
    return start, end
