"""Bucketing China days into periods (day, ISO week from Monday, month, quarter, year), and
who counts as an active volunteer on a day."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from timebank_common.regions import unit_chain

from .rollup import prefixes

ACTIVE_WINDOW_DAYS = 90
"""A volunteer is active on a day when they served in the 90 days up to it (that day included)."""


def period_start(day: dt.date, period: str) -> dt.date:
    if period == "day":
        return day
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if period == "year":
        return day.replace(month=1, day=1)
    raise ValueError(f"unknown period {period!r}")


def next_start(start: dt.date, period: str) -> dt.date:
    if period == "day":
        return start + dt.timedelta(days=1)
    if period == "week":
        return start + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    month = start.month - 1 + months
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def label(start: dt.date, period: str) -> str:
    if period == "day":
        return start.isoformat()
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{start.year}-{start.month:02d}"
    if period == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def buckets(first: dt.date, last: dt.date, period: str) -> list[tuple[str, dt.date, dt.date]]:
    """(label, first day, last day) of each period touching ``[first, last]``, clipped to it."""
    out = []
    start = period_start(first, period)
    while start <= last:
        following = next_start(start, period)
        out.append((label(start, period), max(start, first),
                    min(following - dt.timedelta(days=1), last)))
        start = following
    return out


def window(day: dt.date) -> tuple[dt.date, dt.date]:
    """The days whose service makes a volunteer active on ``day``."""
    return day - dt.timedelta(days=ACTIVE_WINDOW_DAYS - 1), day


def active_on(day: dt.date, served: Iterable[tuple[str, dt.date]]) -> int:
    """Distinct volunteers of ``(volunteer, day served)`` pairs active on ``day``."""
    first, last = window(day)
    return len({volunteer for volunteer, when in served if first <= when <= last})


ACTIVE_CHANGE = "active_change"
"""The fact behind active volunteers: +1 on the day a volunteer becomes active in a region,
−1 on the day they stop; active on a day = the sum of the changes up to it. Kept per region
level, so a province's year is read from one row a day, not from its volunteers' days."""


def newly_active(day: dt.date, previous: dt.date | None, following: dt.date | None
                 ) -> tuple[dt.date, dt.date] | None:
    """The days ``[start, end)`` a service on ``day`` makes a volunteer active that their
    other services in the region did not already: ``previous`` their latest other service day
    on or before ``day`` (within the window), ``following`` their earliest after it. Every
    service covers the same span (``ACTIVE_WINDOW_DAYS`` from its day), so what is left
    uncovered of ``[day, day + 90)`` is one range between the two neighbours' spans; None when
    nothing is new."""
    span = dt.timedelta(days=ACTIVE_WINDOW_DAYS)
    start = max(day, previous + span) if previous is not None else day
    end = min(day + span, following) if following is not None else day + span
    return (start, end) if start < end else None


def activity_changes(region_code: str, day: dt.date,
                     others: Iterable[tuple[str, dt.date]]
                     ) -> list[tuple[str, str, dt.date, int]]:
    """(region prefix, its parent's prefix, day, +1/−1) a volunteer's service on ``day`` in ``region_code`` adds to
    active volunteers at each level, given their other service days ``(region code, day)``
    (those within the window either side are enough)."""
    others = list(others)
    changes = []
    for prefix, parent in prefixes(region_code):
        days = [when for code, when in others if prefix in unit_chain(code)]
        span = newly_active(day, max((d for d in days if d <= day), default=None),
                            min((d for d in days if d > day), default=None))
        if span is not None:
            changes += [(prefix, parent, span[0], 1), (prefix, parent, span[1], -1)]
    return changes
