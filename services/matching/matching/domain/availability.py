"""Weekly availability as a 168-bit mask (one bit per hour of the week, China time).

A volunteer says when they can help: windows such as Monday 08:00–12:00. A demand needs every
hour its window touches. A volunteer who never said anything is available at any hour — the
station asks them before assigning anyway, and an empty profile must not hide them.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from timebank_common.clock import CHINA

HOURS_PER_WEEK = 168
ALWAYS = (1 << HOURS_PER_WEEK) - 1


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def mask_of_windows(windows: Sequence[Mapping[str, Any]]) -> int:
    """Hours fully inside some window ``{weekday: 0=Mon..6, start: "HH:MM", end: "HH:MM"}``."""
    if not windows:
        return ALWAYS
    mask = 0
    for w in windows:
        first = -(-_minutes(w["start"]) // 60)  # first whole hour inside the window
        last = _minutes(w["end"]) // 60          # hours before this one
        for hour in range(first, last):
            mask |= 1 << (w["weekday"] * 24 + hour)
    return mask


def mask_of_period(start: dt.datetime, end: dt.datetime) -> int:
    """Hours of the week that the period [start, end) touches, in China time."""
    if end - start >= dt.timedelta(days=7):
        return ALWAYS
    local = start.astimezone(CHINA).replace(minute=0, second=0, microsecond=0)
    mask = 0
    while local < end:
        mask |= 1 << (local.weekday() * 24 + local.hour)
        local += dt.timedelta(hours=1)
    return mask


def to_words(mask: int) -> tuple[int, int, int]:
    """The mask as three unsigned 64-bit words (for numpy)."""
    m = (1 << 64) - 1
    return mask & m, (mask >> 64) & m, (mask >> 128) & m


def available(volunteer_mask: int, needed_mask: int) -> bool:
    return volunteer_mask & needed_mask == needed_mask
