"""A volunteer's feed when matching knows where and when they help: only demands they may take
(within their radius, qualified, in their hours, no overlap with their assignments), nearest
first by band, and among equals priority elders first, then the earliest window, then the
longest waiting."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .candidates import DemandToMatch, Volunteer, distance_if_takeable

DISTANCE_BANDS_KM = (1.0, 3.0, 5.0, 10.0)  # "equals": demands in the same band


@dataclass(frozen=True)
class FeedEntry:
    demand: DemandToMatch
    distance_km: float


def _band(distance_km: float) -> int:
    return sum(distance_km > edge for edge in DISTANCE_BANDS_KM)


def rank_feed(volunteer: Volunteer, demands: list[DemandToMatch], now: dt.datetime,
              limit: int) -> list[FeedEntry]:
    entries: list[FeedEntry] = []
    for d in demands:
        if d.open_slots <= 0 or d.window_start <= now:
            continue
        distance = distance_if_takeable(volunteer, d)
        if distance is not None:
            entries.append(FeedEntry(d, round(distance, 3)))
    entries.sort(key=lambda e: (_band(e.distance_km), not e.demand.priority_elder,
                                e.demand.window_start, e.demand.published_at or now,
                                e.demand.demand_id))
    return entries[:limit]
