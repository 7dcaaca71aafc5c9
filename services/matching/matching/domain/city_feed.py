"""The city-level feed: open demands ranked for a volunteer whose home matching does not know
(``feed`` ranks them for one whose home, radius and hours it knows).

Order: demands in the volunteer's own city-level unit first, then the earliest
window, then the one that has waited longest since publication. A demand whose
window has already started, or with no open slot, is not offered at all.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from timebank_common.regions import city_unit_of

FEED_SIZE = 50


@dataclass(frozen=True)
class OpenDemand:
    demand_id: str
    region_code: str
    category: str
    window_start: dt.datetime
    window_end: dt.datetime
    expected_minutes: int
    open_slots: int
    published_at: dt.datetime


def city_unit(region_code: str | None) -> str | None:
    """The volunteer's (or demand's) city-level unit; None when the region is unknown."""
    return city_unit_of(region_code) if region_code else None


def still_open(demand: OpenDemand, now: dt.datetime) -> bool:
    return demand.open_slots > 0 and demand.window_start > now


def rank_for_volunteer(demands: Iterable[OpenDemand], volunteer_region: str | None,
                       now: dt.datetime, limit: int = FEED_SIZE) -> list[OpenDemand]:
    home = city_unit(volunteer_region)

    def key(demand: OpenDemand) -> tuple[bool, dt.datetime, dt.datetime, str]:
        elsewhere = home is None or city_unit_of(demand.region_code) != home
        return (elsewhere, demand.window_start, demand.published_at, demand.demand_id)

    return sorted((d for d in demands if still_open(d, now)), key=key)[:limit]
