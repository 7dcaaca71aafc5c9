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
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from . import availability as avail
from .geo import _COLS, CELL_LAT, CELL_LNG, KM_PER_DEG_LAT, cell_of, haversine_km
from .scoring import GOOD_RATING, WEIGHTS, score_parts, total_score

RADIUS_BANDS_KM = (1.0, 2.0, 3.0, 5.0, 7.5, 10.0, 15.0, 20.0, 30.0)
MAX_RADIUS_KM = RADIUS_BANDS_KM[-1]
CANDIDATES_SHOWN = 20
_BAND_STRIDE = 10**12  # above any cell key
NEAREST_SEARCH_KM = (2.0, 5.0, 10.0, MAX_RADIUS_KM)  # dispatch's growing circles


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
class BusyPeriods:
    """Periods (epoch seconds) in which index rows are taken: a dispatch's own proposals."""
    rows: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def of(cls, periods: list[tuple[int, dt.datetime, dt.datetime]]) -> BusyPeriods:
        return cls(np.array([p[0] for p in periods], dtype=np.int64),
                   np.array([p[1].timestamp() for p in periods], dtype=float),
                   np.array([p[2].timestamp() for p in periods], dtype=float))


@dataclass(frozen=True)
class Candidate:
    volunteer_id: str
    score: float
    distance_km: float
    parts: dict[str, float] = field(default_factory=dict)


def overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


class VolunteerIndex:
    """An immutable snapshot of eligible volunteers, for candidate search and dispatch."""

    def __init__(self, volunteers: Iterable[Volunteer]):
        v = list(volunteers)
        n = len(v)
        # rows sorted by (radius band, grid cell): a query reads contiguous runs of memory
        cells = np.fromiter((cell_of(x.lat, x.lng) for x in v), np.int64, n)
        radius = np.fromiter((min(x.radius_km, MAX_RADIUS_KM) for x in v), float, n)
        band_of = np.searchsorted(np.array(RADIUS_BANDS_KM), radius, "left")
        order = np.lexsort((cells, band_of))
        v = [v[i] for i in order.tolist()]
        cells, band_of = cells[order], band_of[order]
        self.volunteers = v
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
        if len(self.kinds) > 64:
            raise ValueError("more than 64 qualification kinds")
        self.qual_bits = np.fromiter((sum(1 << self.kinds[q] for q in x.qualifications)
                                      for x in v), np.uint64, n)
        words = np.array([avail.to_words(x.availability) for x in v],
                         dtype=np.uint64).reshape(n, 3)
        self.avail = [np.ascontiguousarray(words[:, w]) for w in range(3)]
        busy = [(i, s.timestamp(), e.timestamp()) for i, x in enumerate(v) for s, e in x.busy]
        self.busy_row = np.array([b[0] for b in busy], dtype=np.int64)
        self.busy_start = np.array([b[1] for b in busy], dtype=float)
        self.busy_end = np.array([b[2] for b in busy], dtype=float)
        well_rated: dict[str, list[int]] = {}
        for i, x in enumerate(v):
            for elder in x.well_rated_by:
                well_rated.setdefault(elder, []).append(i)
        self.well_rated = {e: np.array(rows) for e, rows in well_rated.items()}
        # one sorted key per row: (band, cell); each band's widest radius actually held
        self.keys = band_of.astype(np.int64) * _BAND_STRIDE + cells
        self.band_reach = [
            (b, float(self.radius[band_of == b].max()))
            for b in range(len(RADIUS_BANDS_KM)) if np.any(band_of == b)]
        self._clash_mark = np.zeros(n, bool)
        # the parts that depend on the volunteer alone, weighted and summed once
        alone = score_parts(np.zeros(n), self.radius, self.completed, self.no_shows,
                            self.rating_sum, self.rating_count, self.minutes_month,
                            np.zeros(n, bool))
        self.own_score = sum(WEIGHTS[k] * alone[k] for k in ("reliability", "rating", "fairness"))

    def __len__(self) -> int:
        return len(self.volunteers)

    # --- hard rules -----------------------------------------------------------------
    def nearest_eligible(self, demand: DemandToMatch, k: int,
                         also_busy: BusyPeriods | None = None
                         ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest volunteers who may serve the demand (for dispatch): searched in
        growing circles, so a dense area stops at the first one holding ``k``."""
        for within in NEAREST_SEARCH_KM:
            rows, dist = self.eligible(demand, also_busy, within)
            if len(rows) >= k or within == NEAREST_SEARCH_KM[-1]:
                break
        if len(rows) > k:
            near = np.argpartition(dist, k)[:k]
            rows, dist = rows[near], dist[near]
        return rows, dist

    def eligible(self, demand: DemandToMatch, also_busy: BusyPeriods | None = None,
                 within_km: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(row numbers, distances in km) of every volunteer who may serve this demand
        (only those within ``within_km`` of it, if given); ``also_busy``: more busy periods
        by row number (a dispatch's own earlier rounds)."""
        # cheap first: a flat-earth distance (within 0.2 % of the true one up to 30 km) ...
        kx = KM_PER_DEG_LAT * np.cos(np.radians(demand.lat))
        rows = self._near(demand.lat, demand.lng, within_km)
        dx = (self.lng[rows] - demand.lng) * kx
        dy = (self.lat[rows] - demand.lat) * KM_PER_DEG_LAT
        reach = self.radius[rows] if within_km is None else \
            np.minimum(self.radius[rows], within_km)
        rows = rows[dx * dx + dy * dy <= (reach * 1.005) ** 2]
        need = avail.to_words(avail.mask_of_period(demand.window_start, demand.window_end))
        for word, bits in zip(self.avail, need, strict=True):
            if bits:
                bits = np.uint64(bits)
                rows = rows[(word[rows] & bits) == bits]
        if demand.qualifications:
            if not set(demand.qualifications) <= self.kinds.keys():
                return rows[:0], np.zeros(0)
            bits = np.uint64(sum(1 << self.kinds[q] for q in demand.qualifications))
            rows = rows[(self.qual_bits[rows] & bits) == bits]
        clashing = self._clashing_rows(demand, also_busy)
        if len(clashing):  # a mark array, not np.isin: no sort of the rows
            self._clash_mark[clashing] = True
            rows = rows[~self._clash_mark[rows]]
            self._clash_mark[clashing] = False
        # ... then the exact great-circle distance for those left
        dist = haversine_km(demand.lat, demand.lng, self.lat[rows], self.lng[rows])
        keep = dist <= self.radius[rows]
        if within_km is not None:
            keep &= dist <= within_km
        return rows[keep], dist[keep]

    def _near(self, lat: float, lng: float, within_km: float | None) -> np.ndarray:
        """Rows in the grid cells that may lie within reach of the point: for each band, the
        box of its widest radius (or ``within_km``, if less); one contiguous run of rows per
        band and grid row, found with one ``searchsorted`` for all of them."""
        low, high = [], []
        for band, widest in self.band_reach:
            reach = widest if within_km is None else min(widest, within_km)
            dlat = reach / KM_PER_DEG_LAT
            dlng = reach / (KM_PER_DEG_LAT * math.cos(math.radians(min(89.0, abs(lat) + dlat))))
            c0, c1 = math.floor((lng - dlng) / CELL_LNG), math.floor((lng + dlng) / CELL_LNG)
            for row in range(math.floor((lat - dlat) / CELL_LAT),
                             math.floor((lat + dlat) / CELL_LAT) + 1):
                key = band * _BAND_STRIDE + row * _COLS
                low.append(key + c0)
                high.append(key + c1)
        starts = np.searchsorted(self.keys, low, "left")
        ends = np.searchsorted(self.keys, high, "right")
        spans = [(a, b) for a, b in zip(starts.tolist(), ends.tolist(), strict=True) if b > a]
        if not spans:
            return np.zeros(0, np.int64)
        return np.concatenate([np.arange(a, b) for a, b in spans])

    def _clashing_rows(self, demand: DemandToMatch, also_busy) -> np.ndarray:
        """Volunteers with an assignment overlapping the demand's window."""
        start, end = demand.window_start.timestamp(), demand.window_end.timestamp()
        clash = self.busy_row[(self.busy_start < end) & (start < self.busy_end)]
        if also_busy is not None and len(also_busy.rows):
            more = also_busy.rows[(also_busy.start < end) & (start < also_busy.end)]
            clash = np.concatenate([clash, more])
        return clash

    # --- ranking ----------------------------------------------------------------------
    def candidates(self, demand: DemandToMatch, limit: int = CANDIDATES_SHOWN) -> list[Candidate]:
        """The best ``limit`` candidates, best first, each with the parts of its score."""
        rows, dist = self.eligible(demand)
        if not len(rows):
            return []
        rated_well = self.well_rated.get(demand.elder_id)
        continuity = np.isin(rows, rated_well) if rated_well is not None else \
            np.zeros(len(rows), bool)
        quick = (WEIGHTS["distance"] * np.clip(1.0 - dist / self.radius[rows], 0.0, 1.0)
                 + self.own_score[rows] + WEIGHTS["continuity"] * continuity)
        if len(rows) > 2 * limit:  # the parts in full for a short list only
            short = np.argpartition(-quick, 2 * limit)[:2 * limit]
            rows, dist, continuity = rows[short], dist[short], continuity[short]
        parts = score_parts(dist, self.radius[rows], self.completed[rows], self.no_shows[rows],
                            self.rating_sum[rows], self.rating_count[rows],
                            self.minutes_month[rows], continuity)
        scores = total_score(parts)
        top = np.argsort(-scores, kind="stable")[:limit]
        # ties broken by distance, then id, so the order is stable across rebuilds
        top = sorted(top, key=lambda i: (-round(float(scores[i]), 9), float(dist[i]),
                                         self.ids[rows[i]]))
        return [Candidate(self.ids[rows[i]], round(float(scores[i]), 4),
                          round(float(dist[i]), 3),
                          {k: round(float(v[i]), 4) for k, v in parts.items()}) for i in top]


__all__ = ["GOOD_RATING", "Candidate", "DemandToMatch", "Volunteer", "VolunteerIndex"]
