"""Every eligible volunteer with a home, in memory, for candidate search and dispatch.

The hard rules of ``candidates`` for many volunteers at once. Search is sub-linear: volunteers
are grouped by service-radius band, and inside a band sorted by grid cell; a query visits, per
band, only the cells within the band's largest radius (one contiguous key range per grid row),
then checks exact distances with numpy. The rest is ranked by ``scoring``.

The index is changed by deltas (a volunteer added, changed or removed; the month turned), never
rebuilt for them: see ``VolunteerIndex``.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from . import availability as avail
from .candidates import (
    CANDIDATES_SHOWN,
    MAX_RADIUS_KM,
    RADIUS_BANDS_KM,
    Candidate,
    DemandToMatch,
    Volunteer,
)
from .geo import _COLS, CELL_LAT, CELL_LNG, KM_PER_DEG_LAT, cell_of, haversine_km
from .scoring import WEIGHTS, score_parts, total_score

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_BAND_STRIDE = 10**12  # above any cell key
NEAREST_SEARCH_KM = (2.0, 5.0, 10.0, MAX_RADIUS_KM)  # dispatch's growing circles


@dataclass(frozen=True)
class BusyPeriods:
    """Periods (epoch seconds) in which index rows are taken: a dispatch's own proposals."""
    rows: IntArray
    start: FloatArray
    end: FloatArray

    @classmethod
    def of(cls, periods: list[tuple[int, dt.datetime, dt.datetime]]) -> BusyPeriods:
        return cls(np.array([p[0] for p in periods], dtype=np.int64),
                   np.array([p[1].timestamp() for p in periods], dtype=float),
                   np.array([p[2].timestamp() for p in periods], dtype=float))


class VolunteerIndex:
    """Eligible volunteers with a home, for candidate search and dispatch.

    Built once from a list, then kept current by deltas: ``update`` (a volunteer added or
    changed: eligibility, qualifications, home, radius, hours, assignments, history, ratings),
    ``remove`` (no longer eligible, or no home), ``new_month`` (minutes served this month
    start again). Rows are sorted by (radius band, grid cell); a changed volunteer whose band
    and cell stay the same is rewritten in place, others go to an unsorted tail (searched by
    brute force) and leave a dead row behind. When the tail grows past ``compact_after`` the
    arrays are re-sorted in memory (a numpy permutation, no reload). Queries give the same
    answer as an index built afresh from the same volunteers.
    """

    # the arrays, one value per row (``_FIELDS``; set by ``_allocate``)
    lat: FloatArray
    lng: FloatArray
    radius: FloatArray
    completed: FloatArray
    no_shows: FloatArray
    rating_sum: FloatArray
    rating_count: FloatArray
    minutes_month: FloatArray
    own_score: FloatArray
    qual_bits: npt.NDArray[np.uint64]
    avail0: npt.NDArray[np.uint64]
    avail1: npt.NDArray[np.uint64]
    avail2: npt.NDArray[np.uint64]
    keys: IntArray
    alive: npt.NDArray[np.bool_]

    def __init__(self, volunteers: Iterable[Volunteer] = (), compact_after: float = 4096):
        self.compact_after = compact_after
        self.kinds: dict[str, int] = {}
        self.ids: list[str] = []
        self.volunteers: list[Volunteer | None] = []
        self.row_of: dict[str, int] = {}
        self.n = self.n_main = 0
        self._arrays: dict[str, npt.NDArray[Any]] = {}
        self._allocate(0)
        self.busy_row: IntArray = np.zeros(0, np.int64)
        self.busy_start: FloatArray = np.zeros(0, float)
        self.busy_end: FloatArray = np.zeros(0, float)
        self.well_rated: dict[str, IntArray] = {}
        self.band_reach: FloatArray = np.zeros(len(RADIUS_BANDS_KM))
        self.compact_after = math.inf  # sorted once, at the end
        self.update(volunteers)
        self.compact()
        self.compact_after = compact_after

    @classmethod
    def from_pages(cls, pages: Iterable[list[Volunteer]],
                   between: Callable[[], object] = lambda: None,
                   compact_after: float = 4096) -> VolunteerIndex:
        """An index of every volunteer of ``pages``; ``between()`` is called after each page
        (a caller that must let other work run while a large index is built)."""
        index = cls(compact_after=math.inf)
        for page in pages:
            index.update(page)
            between()
        index.compact()
        index.compact_after = compact_after
        return index

    # --- storage ------------------------------------------------------------------------
    _FIELDS: dict[str, Any] = {"lat": float, "lng": float, "radius": float, "completed": float,
               "no_shows": float, "rating_sum": float, "rating_count": float,
               "minutes_month": float, "own_score": float, "qual_bits": np.uint64,
               "avail0": np.uint64, "avail1": np.uint64, "avail2": np.uint64,
               "keys": np.int64, "alive": bool}

    def _allocate(self, capacity: int) -> None:
        old, self._arrays = self._arrays, {}
        for name, kind in self._FIELDS.items():
            a = np.zeros(capacity, kind)
            if name in old:
                a[:self.n] = old[name][:self.n]
            self._arrays[name] = a
            setattr(self, name, a)
        self.avail = [self.avail0, self.avail1, self.avail2]
        self._clash_mark: npt.NDArray[np.bool_] = np.zeros(capacity, bool)

    def _fields(self, vs: list[Volunteer]) -> dict[str, npt.NDArray[Any]]:
        """The array values of these volunteers (the same arithmetic for one or many)."""
        n = len(vs)
        for x in vs:
            for q in x.qualifications:
                if q not in self.kinds:
                    if len(self.kinds) >= 64:
                        raise ValueError("more than 64 qualification kinds")
                    self.kinds[q] = len(self.kinds)
        f: dict[str, npt.NDArray[Any]] = {"lat": np.fromiter((x.lat for x in vs), float, n),
             "lng": np.fromiter((x.lng for x in vs), float, n),
             "radius": np.fromiter((min(x.radius_km, MAX_RADIUS_KM) for x in vs), float, n),
             "completed": np.fromiter((x.completed for x in vs), float, n),
             "no_shows": np.fromiter((x.no_shows for x in vs), float, n),
             "rating_sum": np.fromiter((x.rating_sum for x in vs), float, n),
             "rating_count": np.fromiter((x.rating_count for x in vs), float, n),
             "minutes_month": np.fromiter((x.minutes_this_month for x in vs), float, n),
             "qual_bits": np.fromiter((sum(1 << self.kinds[q] for q in x.qualifications)
                                       for x in vs), np.uint64, n)}
        words = np.array([avail.to_words(x.availability) for x in vs],
                         dtype=np.uint64).reshape(n, 3)
        for w in range(3):
            f[f"avail{w}"] = np.ascontiguousarray(words[:, w])
        cells = np.fromiter((cell_of(x.lat, x.lng) for x in vs), np.int64, n)
        band = np.searchsorted(np.array(RADIUS_BANDS_KM), f["radius"], "left")
        f["keys"] = band.astype(np.int64) * _BAND_STRIDE + cells
        f["own_score"] = self._own_score(f["radius"], f["completed"], f["no_shows"],
                                         f["rating_sum"], f["rating_count"],
                                         f["minutes_month"])
        f["alive"] = np.ones(n, bool)
        return f

    @staticmethod
    def _own_score(radius: FloatArray, completed: FloatArray, no_shows: FloatArray,
                   rating_sum: FloatArray, rating_count: FloatArray,
                   minutes: FloatArray) -> FloatArray:
        """The parts that depend on the volunteer alone, weighted and summed once."""
        n = len(radius)
        alone = score_parts(np.zeros(n), radius, completed, no_shows, rating_sum, rating_count,
                            minutes, np.zeros(n, bool))
        own: FloatArray = sum(  # type: ignore[assignment]
            WEIGHTS[k] * alone[k] for k in ("reliability", "rating", "fairness"))
        return own

    # --- deltas -------------------------------------------------------------------------
    def update(self, volunteers: Iterable[Volunteer]) -> None:
        """Add these volunteers, or replace what the index holds about them."""
        vs = list({v.person_id: v for v in volunteers}.values())
        if not vs:
            return
        f = self._fields(vs)
        known = [self.row_of.get(v.person_id) for v in vs]
        self._forget_busy_and_ratings([r for r in known if r is not None])
        rows: IntArray = np.empty(len(vs), np.int64)
        appended: list[int] = []
        for i, row in enumerate(known):
            if row is not None:
                if row >= self.n_main or self.keys[row] == f["keys"][i]:
                    rows[i] = row  # same place in the sort order (or in the tail): in place
                    continue
                self._kill(row)  # moved to another cell or band: the old row dies
            appended.append(i)
        if appended:
            need = self.n + len(appended)
            if need > len(self.lat):
                self._allocate(max(need, 2 * len(self.lat), 1024))
            rows[appended] = np.arange(self.n, need)
            self.ids.extend(vs[i].person_id for i in appended)
            self.volunteers.extend([None] * len(appended))
            self.n = need
        for name, values in f.items():
            self._arrays[name][rows] = values
        in_main = rows < self.n_main
        if in_main.any():
            np.maximum.at(self.band_reach, self.keys[rows[in_main]] // _BAND_STRIDE,
                          self.radius[rows[in_main]])
        for v, row in zip(vs, rows.tolist(), strict=True):
            self.volunteers[row] = v
            self.row_of[v.person_id] = row
        self._remember_busy_and_ratings(rows.tolist())
        if self.n - self.n_main > self.compact_after:
            self.compact()

    def remove(self, person_ids: Iterable[str]) -> None:
        """These volunteers are no longer candidates (not eligible, or no home)."""
        rows = [r for r in (self.row_of.get(p) for p in set(person_ids)) if r is not None]
        self._forget_busy_and_ratings(rows)
        for row in rows:
            self._kill(row)

    def new_month(self, minutes: dict[str, int]) -> None:
        """The month turned: minutes served are those of the new month (``minutes``), else 0."""
        self.minutes_month[:self.n] = 0
        for person_id, value in minutes.items():
            row = self.row_of.get(person_id)
            if row is not None:
                self.minutes_month[row] = value
        n = self.n
        self.own_score[:n] = self._own_score(
            self.radius[:n], self.completed[:n], self.no_shows[:n], self.rating_sum[:n],
            self.rating_count[:n], self.minutes_month[:n])

    def get(self, person_id: str) -> Volunteer | None:
        """The volunteer as the index holds them, or None (their assignments may include some
        already over: they never overlap a window still ahead)."""
        row = self.row_of.get(person_id)
        if row is None:
            return None
        v = self.volunteers[row]
        assert v is not None  # a live row holds its volunteer
        return replace(v, minutes_this_month=int(self.minutes_month[row]))

    def row(self, person_id: str) -> int:
        return self.row_of[person_id]

    def _kill(self, row: int) -> None:
        self.alive[row] = False
        self.volunteers[row] = None
        if self.row_of.get(self.ids[row]) == row:
            del self.row_of[self.ids[row]]

    def _forget_busy_and_ratings(self, rows: list[int]) -> None:
        if not rows:
            return
        if len(self.busy_row):
            keep = ~np.isin(self.busy_row, rows)
            self.busy_row, self.busy_start, self.busy_end = (
                self.busy_row[keep], self.busy_start[keep], self.busy_end[keep])
        for row in rows:
            v = self.volunteers[row]
            for elder in v.well_rated_by if v is not None else ():
                left = self.well_rated[elder][self.well_rated[elder] != row]
                if len(left):
                    self.well_rated[elder] = left
                else:
                    del self.well_rated[elder]

    def _remember_busy_and_ratings(self, rows: list[int]) -> None:
        held = [(r, v) for r in rows if (v := self.volunteers[r]) is not None]
        busy = [(r, s.timestamp(), e.timestamp()) for r, v in held for s, e in v.busy]
        if busy:
            self.busy_row = np.concatenate([self.busy_row, [b[0] for b in busy]]).astype(np.int64)
            self.busy_start = np.concatenate([self.busy_start, [b[1] for b in busy]])
            self.busy_end = np.concatenate([self.busy_end, [b[2] for b in busy]])
        added: dict[str, list[int]] = {}
        for r, v in held:
            for elder in v.well_rated_by:
                added.setdefault(elder, []).append(r)
        for elder, new in added.items():
            old = self.well_rated.get(elder)
            self.well_rated[elder] = np.array(new, np.int64) if old is None else \
                np.concatenate([old, new]).astype(np.int64)

    def compact(self) -> None:
        """Sort every live row by (band, cell) again and drop the dead ones (in memory)."""
        live = np.nonzero(self.alive[:self.n])[0]
        order = live[np.argsort(self.keys[live], kind="stable")]
        new_pos = np.full(self.n, -1, np.int64)  # old row -> new row (dead rows: -1)
        new_pos[order] = np.arange(len(order))
        for a in self._arrays.values():
            a[:len(order)] = a[order]
            a[len(order):self.n] = 0
        self.ids = [self.ids[i] for i in order.tolist()]
        self.volunteers = [self.volunteers[i] for i in order.tolist()]
        self.row_of = {pid: r for r, pid in enumerate(self.ids)}
        self.n = self.n_main = len(order)
        self.busy_row = new_pos[self.busy_row]
        self.well_rated = {e: new_pos[rows] for e, rows in self.well_rated.items()}
        band = self.keys[:self.n] // _BAND_STRIDE
        self.band_reach = np.zeros(len(RADIUS_BANDS_KM))
        np.maximum.at(self.band_reach, band, self.radius[:self.n])

    def __len__(self) -> int:
        return len(self.row_of)

    def __contains__(self, person_id: str) -> bool:
        return person_id in self.row_of

    # --- hard rules -----------------------------------------------------------------
    def nearest_eligible(self, demand: DemandToMatch, k: int,
                         also_busy: BusyPeriods | None = None
                         ) -> tuple[IntArray, FloatArray]:
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
                 within_km: float | None = None, now: dt.datetime | None = None
                 ) -> tuple[IntArray, FloatArray]:
        """(row numbers, distances in km) of every volunteer who may serve this demand
        (only those within ``within_km`` of it, if given); ``also_busy``: more busy periods
        by row number (a dispatch's own earlier rounds); ``now``: assignments that ended
        before it no longer count (a demand already under way)."""
        # cheap first: a flat-earth distance (within 0.2 % of the true one up to 30 km) ...
        kx = KM_PER_DEG_LAT * np.cos(np.radians(demand.lat))
        rows = self._near(demand.lat, demand.lng, within_km)
        rows = rows[self.alive[rows]]
        dx = (self.lng[rows] - demand.lng) * kx
        dy = (self.lat[rows] - demand.lat) * KM_PER_DEG_LAT
        reach = self.radius[rows] if within_km is None else \
            np.minimum(self.radius[rows], within_km)
        rows = rows[dx * dx + dy * dy <= (reach * 1.005) ** 2]
        need = avail.to_words(avail.mask_of_period(demand.window_start, demand.window_end))
        for word, needed in zip(self.avail, need, strict=True):
            if needed:
                bits = np.uint64(needed)
                rows = rows[(word[rows] & bits) == bits]
        if demand.qualifications:
            if not set(demand.qualifications) <= self.kinds.keys():
                return rows[:0], np.zeros(0)
            kinds = np.uint64(sum(1 << self.kinds[q] for q in demand.qualifications))
            rows = rows[(self.qual_bits[rows] & kinds) == kinds]
        clashing = self._clashing_rows(demand, also_busy, now)
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

    def _near(self, lat: float, lng: float, within_km: float | None) -> IntArray:
        """Rows in the grid cells that may lie within reach of the point: for each band, the
        box of its widest radius (or ``within_km``, if less); one contiguous run of rows per
        band and grid row, found with one ``searchsorted`` for all of them."""
        low: list[int] = []
        high: list[int] = []
        for band, widest in enumerate(self.band_reach.tolist()):
            if widest <= 0:
                continue
            reach = widest if within_km is None else min(widest, within_km)
            dlat = reach / KM_PER_DEG_LAT
            dlng = reach / (KM_PER_DEG_LAT * math.cos(math.radians(min(89.0, abs(lat) + dlat))))
            c0, c1 = math.floor((lng - dlng) / CELL_LNG), math.floor((lng + dlng) / CELL_LNG)
            for row in range(math.floor((lat - dlat) / CELL_LAT),
                             math.floor((lat + dlat) / CELL_LAT) + 1):
                key = band * _BAND_STRIDE + row * _COLS
                low.append(key + c0)
                high.append(key + c1)
        keys = self.keys[:self.n_main]
        starts = np.searchsorted(keys, low, "left")
        ends = np.searchsorted(keys, high, "right")
        spans = [np.arange(a, b) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
                 if b > a]
        if self.n > self.n_main:  # the unsorted tail: every row (the distance check follows)
            spans.append(np.arange(self.n_main, self.n))
        if not spans:
            return np.zeros(0, np.int64)
        return np.concatenate(spans)

    def _clashing_rows(self, demand: DemandToMatch, also_busy: BusyPeriods | None,
                       now: dt.datetime | None = None) -> IntArray:
        """Volunteers with an assignment overlapping the demand's window (and not over)."""
        start, end = demand.window_start.timestamp(), demand.window_end.timestamp()
        if now is not None:
            start = max(start, now.timestamp())
        clash = self.busy_row[(self.busy_start < end) & (start < self.busy_end)]
        if also_busy is not None and len(also_busy.rows):
            more = also_busy.rows[(also_busy.start < end) & (start < also_busy.end)]
            clash = np.concatenate([clash, more])
        return clash

    # --- ranking ----------------------------------------------------------------------
    def candidates(self, demand: DemandToMatch, limit: int = CANDIDATES_SHOWN,
                   now: dt.datetime | None = None) -> list[Candidate]:
        """The best ``limit`` candidates, best first, each with the parts of its score."""
        rows, dist = self.eligible(demand, now=now)
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
        best = np.argsort(-scores, kind="stable")[:limit]
        # ties broken by distance, then id, so the order is stable across rebuilds
        top = sorted(best.tolist(), key=lambda i: (-round(float(scores[i]), 9), float(dist[i]),
                                         self.ids[rows[i]]))
        return [Candidate(self.ids[rows[i]], round(float(scores[i]), 4),
                          round(float(dist[i]), 3),
                          {k: round(float(v[i]), 4) for k, v in parts.items()}) for i in top]
