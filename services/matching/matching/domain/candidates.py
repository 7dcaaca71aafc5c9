"""Who may serve a demand, and in which order: an in-memory index of volunteers.

Hard rules (a volunteer failing any is not a candidate): eligible (only eligible volunteers are
indexed), holds every qualification the category needs, the demand's place is within the
volunteer's own service radius, the window is inside their weekly availability, and no
assignment of theirs overlaps the window. The rest is ranked by ``scoring``.

Search is sub-linear: volunteers are grouped by service-radius band, and inside a band sorted by
grid cell; a query visits, per band, only the cells within the band's largest radius (one
contiguous key range per grid row), then checks exact distances with numpy.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from . import availability as avail
from .geo import _COLS, CELL_LAT, CELL_LNG, KM_PER_DEG_LAT, cell_of, haversine_km
from .scoring import GOOD_RATING, score_parts, total_score

RADIUS_BANDS_KM = (1.0, 3.0, 5.0, 10.0, 30.0)
MAX_RADIUS_KM = RADIUS_BANDS_KM[-1]
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


@dataclass(frozen=True)
class Candidate:
    volunteer_id: str
    score: float
    distance_km: float
    parts: dict[str, float] = field(default_factory=dict)


def overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


class _Band:
    """Volunteers of one radius band, sorted by cell key."""

    def __init__(self, rows: np.ndarray, cells: np.ndarray, max_radius_km: float):
        order = np.argsort(cells, kind="stable")
        self.rows = rows[order]
        self.cells = cells[order]
        self.max_radius_km = max_radius_km

    def near(self, lat: float, lng: float) -> np.ndarray:
        """Row numbers of volunteers in the cells that may lie within the band's radius."""
        if not len(self.rows):
            return self.rows
        dlat = self.max_radius_km / KM_PER_DEG_LAT
        far = min(89.0, abs(lat) + dlat)
        dlng = self.max_radius_km / (KM_PER_DEG_LAT * np.cos(np.radians(far)))
        r0, r1 = int(np.floor((lat - dlat) / CELL_LAT)), int(np.floor((lat + dlat) / CELL_LAT))
        c0, c1 = int(np.floor((lng - dlng) / CELL_LNG)), int(np.floor((lng + dlng) / CELL_LNG))
        rows = np.arange(r0, r1 + 1, dtype=np.int64) * _COLS
        starts = np.searchsorted(self.cells, rows + c0, "left")
        ends = np.searchsorted(self.cells, rows + c1, "right")
        pieces = [self.rows[s:e] for s, e in zip(starts, ends, strict=True) if e > s]
        return np.concatenate(pieces) if pieces else self.rows[:0]


class VolunteerIndex:
    """An immutable snapshot of eligible volunteers, for candidate search and dispatch."""

    def __init__(self, volunteers: Iterable[Volunteer]):
        self.volunteers = list(volunteers)
        n = len(self.volunteers)
        v = self.volunteers
        self.ids = [x.person_id for x in v]
        self.lat = np.fromiter((x.lat for x in v), float, n)
        self.lng = np.fromiter((x.lng for x in v), float, n)
        self.radius = np.fromiter((min(x.radius_km, MAX_RADIUS_KM) for x in v), float, n)
        self.completed = np.fromiter((x.completed for x in v), float, n)
        self.no_shows = np.fromiter((x.no_shows for x in v), float, n)
        self.rating_sum = np.fromiter((x.rating_sum for x in v), float, n)
        self.rating_count = np.fromiter((x.rating_count for x in v), float, n)
        self.minutes_month = np.fromiter((x.minutes_this_month for x in v), float, n)
        self.kinds = {k: i for i, k in enumerate(sorted({q for x in v for q in x.qualifications}))}
        self.qual_bits = [sum(1 << self.kinds[q] for q in x.qualifications) for x in v]
        words = [avail.to_words(x.availability) for x in v]
        self.avail = np.array(words, dtype=np.uint64).reshape(n, 3)
        self.busy = {i: x.busy for i, x in enumerate(v) if x.busy}
        self.well_rated: dict[str, set[int]] = {}
        for i, x in enumerate(v):
            for elder in x.well_rated_by:
                self.well_rated.setdefault(elder, set()).add(i)
        cells = np.fromiter((cell_of(x.lat, x.lng) for x in v), np.int64, n)
        band_of = np.searchsorted(np.array(RADIUS_BANDS_KM), self.radius, "left")
        self.bands = [_Band(np.nonzero(band_of == b)[0], cells[band_of == b], r)
                      for b, r in enumerate(RADIUS_BANDS_KM)]

    def __len__(self) -> int:
        return len(self.volunteers)

    # --- hard rules -----------------------------------------------------------------
    def eligible(self, demand: DemandToMatch) -> tuple[np.ndarray, np.ndarray]:
        """(row numbers, distances in km) of every volunteer who may serve this demand."""
        rows = np.concatenate([band.near(demand.lat, demand.lng) for band in self.bands])
        if not len(rows):
            return rows, np.zeros(0)
        dist = haversine_km(demand.lat, demand.lng, self.lat[rows], self.lng[rows])
        keep = dist <= self.radius[rows]
        rows, dist = rows[keep], dist[keep]
        need = avail.mask_of_period(demand.window_start, demand.window_end)
        words = np.array(avail.to_words(need), dtype=np.uint64)
        keep = np.all((self.avail[rows] & words) == words, axis=1)
        rows, dist = rows[keep], dist[keep]
        if demand.qualifications:
            if not set(demand.qualifications) <= self.kinds.keys():
                return rows[:0], dist[:0]
            bits = sum(1 << self.kinds[q] for q in demand.qualifications)
            keep = np.fromiter((self.qual_bits[r] & bits == bits for r in rows), bool, len(rows))
            rows, dist = rows[keep], dist[keep]
        if self.busy:
            keep = np.fromiter((not any(overlaps(s, e, demand.window_start, demand.window_end)
                                        for s, e in self.busy.get(int(r), ()))
                                for r in rows), bool, len(rows))
            rows, dist = rows[keep], dist[keep]
        return rows, dist

    # --- ranking ----------------------------------------------------------------------
    def candidates(self, demand: DemandToMatch, limit: int = CANDIDATES_SHOWN) -> list[Candidate]:
        """The best ``limit`` candidates, best first, each with the parts of its score."""
        rows, dist = self.eligible(demand)
        if not len(rows):
            return []
        rated_well = self.well_rated.get(demand.elder_id, ())
        continuity = np.fromiter((int(r) in rated_well for r in rows), bool, len(rows))
        parts = score_parts(dist, self.radius[rows], self.completed[rows], self.no_shows[rows],
                            self.rating_sum[rows], self.rating_count[rows],
                            self.minutes_month[rows], continuity)
        scores = total_score(parts)
        top = np.argsort(-scores, kind="stable")[:limit] if len(rows) <= 4 * limit else \
            _top(scores, limit)
        # ties broken by distance, then id, so the order is stable across rebuilds
        top = sorted(top, key=lambda i: (-round(float(scores[i]), 9), float(dist[i]),
                                         self.ids[rows[i]]))
        return [Candidate(self.ids[rows[i]], round(float(scores[i]), 4),
                          round(float(dist[i]), 3),
                          {k: round(float(v[i]), 4) for k, v in parts.items()}) for i in top]


def _top(scores: np.ndarray, limit: int) -> np.ndarray:
    part = np.argpartition(-scores, limit)[:limit]
    return part[np.argsort(-scores[part], kind="stable")]


__all__ = ["GOOD_RATING", "Candidate", "DemandToMatch", "Volunteer", "VolunteerIndex"]
