"""Open demands with a place, in memory, for volunteers' feeds; kept current by deltas.

``update`` (a demand published, its open slots changed, its elder made a priority elder) and
``remove`` (filled, cancelled) change rows in place or append them; dead rows are dropped when
they are as many as the live ones. ``feed`` gives exactly what ``feed.rank_feed`` gives over
every open demand: the hard rules are checked on all rows at once with numpy (place within the
volunteer's radius, qualifications as bit masks, hours as three 64-bit words, overlap with
their assignments), and only the survivors of the nearest bands are sorted in Python.

A city holds tens of thousands of open demands, so every row is checked (a cheap latitude test
first): no grid is needed at this size.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from . import availability as avail
from .candidates import DemandToMatch, Volunteer
from .feed import DISTANCE_BANDS_KM, FeedEntry
from .geo import KM_PER_DEG_LAT, haversine_km

_FIELDS: dict[str, Any] = {"lat": float, "lng": float, "start": float, "end": float, "slots": np.int64,
           "own_bits": np.uint64, "need0": np.uint64, "need1": np.uint64, "need2": np.uint64,
           "category": np.int64, "alive": bool}


class OpenDemandIndex:
    """Every open demand with a place (see the module's docstring)."""

    def __init__(self, demands: Iterable[DemandToMatch] = ()):
        self.kinds: dict[str, int] = {}
        self.categories: dict[str, int] = {}
        self.category_count: Counter[str] = Counter()
        self.demands: list[DemandToMatch | None] = []
        self.row_of: dict[str, int] = {}
        self.n = 0
        self._arrays: dict[str, npt.NDArray[Any]] = {
            name: np.zeros(0, kind) for name, kind in _FIELDS.items()}
        self.update(demands)

    def __getattr__(self, name: str) -> npt.NDArray[Any]:  # the arrays: self.lat, ...
        arrays = self.__dict__.get("_arrays")
        if arrays is not None and name in arrays:
            found: npt.NDArray[Any] = arrays[name]
            return found
        raise AttributeError(name)

    def __len__(self) -> int:
        return len(self.row_of)

    def __contains__(self, demand_id: str) -> bool:
        return demand_id in self.row_of

    def get(self, demand_id: str) -> DemandToMatch | None:
        row = self.row_of.get(demand_id)
        return None if row is None else self.demands[row]

    def category_codes(self) -> set[str]:
        return {c for c, n in self.category_count.items() if n > 0}

    def _bits(self, kinds: Iterable[str]) -> int:
        bits = 0
        for k in kinds:
            if k not in self.kinds:
                if len(self.kinds) >= 64:
                    raise ValueError("more than 64 qualification kinds")
                self.kinds[k] = len(self.kinds)
            bits |= 1 << self.kinds[k]
        return bits

    # --- deltas -------------------------------------------------------------------------
    def update(self, demands: Iterable[DemandToMatch]) -> None:
        """Add these demands, or replace what the index holds about them."""
        ds = list({d.demand_id: d for d in demands}.values())
        if not ds:
            return
        rows: list[int] = []
        for d in ds:
            row = self.row_of.get(d.demand_id)
            if row is None:
                row = self.n
                self.n += 1
                self.demands.append(None)
                self.row_of[d.demand_id] = row
            else:
                self._forget_category(row)
            rows.append(row)
        if self.n > len(self._arrays["lat"]):
            capacity = max(self.n, 2 * len(self._arrays["lat"]), 1024)
            for name, a in self._arrays.items():
                grown = np.zeros(capacity, a.dtype)
                grown[:len(a)] = a
                self._arrays[name] = grown
        for d, row in zip(ds, rows, strict=True):
            if d.category not in self.categories:
                self.categories[d.category] = len(self.categories)
            self.category_count[d.category] += 1
            need = avail.to_words(avail.mask_of_period(d.window_start, d.window_end))
            values = {"lat": d.lat, "lng": d.lng, "start": d.window_start.timestamp(),
                      "end": d.window_end.timestamp(), "slots": d.open_slots,
                      "own_bits": self._bits(d.qualifications), "need0": need[0],
                      "need1": need[1], "need2": need[2],
                      "category": self.categories[d.category], "alive": True}
            for name, value in values.items():
                self._arrays[name][row] = value
            self.demands[row] = d

    def remove(self, demand_ids: Iterable[str]) -> None:
        """These demands are no longer open (filled, cancelled, or without a place)."""
        for demand_id in set(demand_ids):
            row = self.row_of.pop(demand_id, None)
            if row is not None:
                self._forget_category(row)
                self.alive[row] = False
                self.demands[row] = None
        if self.n > 1024 and len(self.row_of) < self.n / 2:
            self.compact()

    def _forget_category(self, row: int) -> None:
        held = self.demands[row]
        assert held is not None  # a live row holds its demand
        self.category_count[held.category] -= 1

    def compact(self) -> None:
        live = np.nonzero(self.alive[:self.n])[0]
        for a in self._arrays.values():
            a[:len(live)] = a[live]
            a[len(live):self.n] = 0
        self.demands = [self.demands[i] for i in live.tolist()]
        self.row_of = {d.demand_id: r for r, d in enumerate(self.demands) if d is not None}
        self.n = len(live)

    # --- queries ------------------------------------------------------------------------
    def feed(self, volunteer: Volunteer, now: dt.datetime, limit: int,
             requirements: dict[str, frozenset[str]], within_scope: str | None = None
             ) -> list[FeedEntry]:
        """What ``rank_feed(volunteer, <every open demand>, now, limit)`` gives, each demand
        needing its own kinds and its category's (``requirements``; a category not in it is
        left out). ``within_scope``: a region-code prefix the demands must have."""
        n = self.n
        reach = volunteer.radius_km / KM_PER_DEG_LAT * 1.01 + 1e-9
        rows = np.nonzero(self.alive[:n] & (self.start[:n] > now.timestamp())
                          & (self.slots[:n] > 0)
                          & (np.abs(self.lat[:n] - volunteer.lat) <= reach))[0]
        # qualifications: the demand's own kinds and its category's, all held by the volunteer
        held = self._bits(volunteer.qualifications)
        category_bits = np.zeros(len(self.categories) + 1, np.uint64)
        known = np.zeros(len(self.categories) + 1, bool)
        for code, i in self.categories.items():
            if code in requirements:
                category_bits[i] = self._bits(requirements[code])
                known[i] = True
        category = self.category[rows]
        needed = self.own_bits[rows] | category_bits[category]
        rows = rows[known[category] & ((needed & ~np.uint64(held)) == 0)]
        for word, need in zip(avail.to_words(volunteer.availability),
                              (self.need0, self.need1, self.need2), strict=True):
            w = np.uint64(word)
            rows = rows[(need[rows] & w) == need[rows]]
        for s, e in volunteer.busy:
            rows = rows[~((self.start[rows] < e.timestamp()) & (s.timestamp() < self.end[rows]))]
        distance = haversine_km(volunteer.lat, volunteer.lng, self.lat[rows], self.lng[rows])
        keep = distance <= volunteer.radius_km
        rows, distance = rows[keep], distance[keep]
        demand_at = self._held
        if within_scope:
            inside = [demand_at(r).region_code.startswith(within_scope) for r in rows.tolist()]
            rows, distance = rows[inside], distance[inside]
        # the order: band of the rounded distance first, so only the nearest bands that hold
        # ``limit`` demands need sorting in full
        rounded = [round(float(x), 3) for x in distance.tolist()]
        band = np.searchsorted(np.array(DISTANCE_BANDS_KM), rounded, "left") \
            if rounded else np.zeros(0, np.int64)
        counts = np.cumsum(np.bincount(band, minlength=len(DISTANCE_BANDS_KM) + 1))
        last_band = int(np.searchsorted(counts, limit, "left"))
        entries = [(int(b), demand_at(r), x) for r, x, b in
                   zip(rows.tolist(), rounded, band.tolist(), strict=True) if b <= last_band]
        entries.sort(key=lambda e: (e[0], not e[1].priority_elder, e[1].window_start,
                                    e[1].published_at or now, e[1].demand_id))
        return [FeedEntry(d, x) for _, d, x in entries[:limit]]

    def _held(self, row: int) -> DemandToMatch:
        demand = self.demands[row]
        assert demand is not None  # a live row holds its demand
        return demand
