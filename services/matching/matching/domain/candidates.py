"""Who may serve a demand: the volunteer and demand as matching sees them, and the hard rules.

Hard rules (a volunteer failing any is not a candidate): eligible (only eligible volunteers
are matched at all), holds every qualification the category needs, the demand's place is
within the volunteer's own service radius, the window is inside their weekly availability,
and no assignment of theirs overlaps the window. The candidates who pass are ranked by
``scoring``; ``volunteer_index.VolunteerIndex`` applies the same rules to many volunteers at
once, and ``distance_if_takeable`` is the rule for one pair.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import availability as avail
from .geo import haversine_km

RADIUS_BANDS_KM = (1.0, 2.0, 3.0, 5.0, 7.5, 10.0, 15.0, 20.0, 30.0)
MAX_RADIUS_KM = RADIUS_BANDS_KM[-1]  # no volunteer is searched for further than this
CANDIDATES_SHOWN = 20


@dataclass(frozen=True)
class Volunteer:
    person_id: str
    lat: float
    lng: float
    radius_km: float
    qualifications: frozenset[str] = frozenset()
    availability: int = avail.ALWAYS
    busy: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
    completed: int = 0
    no_shows: int = 0
    rating_sum: float = 0.0
    rating_count: int = 0
    minutes_this_month: int = 0
    well_rated_by: frozenset[str] = frozenset()  # elders who rated them GOOD_RATING or better


@dataclass(frozen=True)
class DemandToMatch:
    demand_id: str
    elder_id: str
    lat: float
    lng: float
    window_start: dt.datetime
    window_end: dt.datetime
    qualifications: frozenset[str] = frozenset()
    open_slots: int = 1
    priority_elder: bool = False
    published_at: dt.datetime | None = None
    category: str = ""
    region_code: str = ""
    expected_minutes: int = 0


@dataclass(frozen=True)
class Candidate:
    volunteer_id: str
    score: float
    distance_km: float
    parts: dict[str, float] = field(default_factory=dict)


def overlaps(a_start: dt.datetime, a_end: dt.datetime, b_start: dt.datetime,
             b_end: dt.datetime) -> bool:
    return a_start < b_end and b_start < a_end


def distance_if_takeable(volunteer: Volunteer, demand: DemandToMatch) -> float | None:
    """The distance in km when the volunteer may take the demand (every hard rule), else
    None."""
    distance = float(haversine_km(volunteer.lat, volunteer.lng, demand.lat, demand.lng))
    if distance > volunteer.radius_km:
        return None
    if not demand.qualifications <= volunteer.qualifications:
        return None
    if not avail.available(volunteer.availability,
                           avail.mask_of_period(demand.window_start, demand.window_end)):
        return None
    if any(overlaps(s, e, demand.window_start, demand.window_end) for s, e in volunteer.busy):
        return None
    return distance
