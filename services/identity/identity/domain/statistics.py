"""Figures for supervisors: counting volunteers, elders, carriers and station operators of a
region, with a breakdown one level down. Pure aggregation over rows read in one batch.

A volunteer row says whether the volunteer is eligible today (computed with
``domain.eligibility`` by the caller); an elder row carries the verified hardship
categories (``advanced_age`` is derived here from the age, never stored). "New in the
period" counts records whose registration day (China time) lies within ``period``, both
ends included and either open; without a period it is None.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from timebank_common.regions import child_of

from ..contracts import HARDSHIP_CATEGORIES
from .priority import priority_categories

ELDER_AGE_BANDS = ("60-69", "70-79", "80-89", "90+")
VOLUNTEER_AGE_BANDS = ("under_18", "18-29", "30-39", "40-49", "50-59", "60+")
SEXES = ("male", "female")
ACTIVE_DAYS = 90


def elder_age_band(age: int) -> str:
    """60-69 / 70-79 / 80-89 / 90+ (an elder is 60 or older)."""
    if age >= 90:
        return "90+"
    decade = max(age, 60) // 10 * 10
    return f"{decade}-{decade + 9}"


def volunteer_age_band(age: int) -> str:
    if age < 18:
        return "under_18"
    if age < 30:
        return "18-29"
    if age >= 60:
        return "60+"
    decade = age // 10 * 10
    return f"{decade}-{decade + 9}"


def is_active(last_served_on: dt.date | None, today: dt.date) -> bool:
    """Served at least once in the ``ACTIVE_DAYS`` days up to ``today`` (today included)."""
    return last_served_on is not None and (today - last_served_on).days < ACTIVE_DAYS


@dataclass(frozen=True)
class Period:
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def given(self) -> bool:
        return self.start is not None or self.end is not None

    def holds(self, day: dt.date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def view(self) -> dict[str, str | None]:
        return {"from": self.start.isoformat() if self.start else None,
                "to": self.end.isoformat() if self.end else None}


@dataclass(frozen=True)
class VolunteerRow:
    region_code: str
    sex: str
    age: int
    registered_on: dt.date
    eligible: bool
    background_tags: tuple[str, ...] = ()
    active: bool = False


@dataclass(frozen=True)
class ElderRow:
    region_code: str
    age: int
    registered_on: dt.date
    phone_only: bool
    verified_categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class CarrierRow:
    region_code: str
    kind: str


@dataclass
class RegionRows:
    volunteers: list[VolunteerRow] = field(default_factory=list)
    elders: list[ElderRow] = field(default_factory=list)
    carriers: list[CarrierRow] = field(default_factory=list)
    operator_regions: list[str] = field(default_factory=list)  # one per station operator


def _new(rows: Sequence[VolunteerRow | ElderRow], period: Period) -> int | None:
    return sum(1 for r in rows if period.holds(r.registered_on)) if period.given else None


def _bands(values: Iterable[str], bands: Iterable[str]) -> dict[str, int]:
    counts = Counter(values)
    return {band: counts.get(band, 0) for band in bands}


def volunteer_figures(rows: list[VolunteerRow], period: Period) -> dict[str, Any]:
    tags = Counter(tag for r in rows for tag in r.background_tags)
    return {"registered": len(rows), "new_in_period": _new(rows, period),
            "eligible": sum(1 for r in rows if r.eligible),
            "active": sum(1 for r in rows if r.active),
            "by_background_tag": dict(sorted(tags.items())),
            "by_sex": _bands((r.sex for r in rows), SEXES),
            "by_age_band": _bands((volunteer_age_band(r.age) for r in rows), VOLUNTEER_AGE_BANDS)}


def elder_figures(rows: list[ElderRow], period: Period) -> dict[str, Any]:
    """Hardship categories count verified ones, and ``advanced_age`` from the age (80+);
    ``with_any_hardship``: elders holding at least one category."""
    held = [priority_categories(list(r.verified_categories), r.age) for r in rows]
    categories = Counter(code for codes in held for code in codes)
    return {"registered": len(rows), "new_in_period": _new(rows, period),
            "phone_only": sum(1 for r in rows if r.phone_only),
            "with_any_hardship": sum(1 for codes in held if codes),
            "by_hardship_category": {code: categories.get(code, 0) for code in HARDSHIP_CATEGORIES},
            "by_age_band": _bands((elder_age_band(r.age) for r in rows), ELDER_AGE_BANDS)}


def carrier_figures(rows: list[CarrierRow]) -> dict[str, Any]:
    return {"total": len(rows), "by_kind": dict(sorted(Counter(r.kind for r in rows).items()))}


def main_figures(rows: RegionRows, period: Period) -> dict[str, Any]:
    """The figures shown for each child region."""
    return {"volunteers_registered": len(rows.volunteers),
            "volunteers_new_in_period": _new(rows.volunteers, period),
            "volunteers_eligible": sum(1 for r in rows.volunteers if r.eligible),
            "volunteers_active": sum(1 for r in rows.volunteers if r.active),
            "elders_registered": len(rows.elders),
            "elders_new_in_period": _new(rows.elders, period),
            "carriers": len(rows.carriers), "station_operators": len(rows.operator_regions)}


def split_by_child(scope_code: str, rows: RegionRows) -> dict[str, RegionRows]:
    """The rows of each child region of ``scope_code`` (a region with nothing is absent)."""
    children: dict[str, RegionRows] = {}

    def bucket(region_code: str) -> RegionRows | None:
        child = child_of(scope_code, region_code)
        return None if child is None else children.setdefault(child, RegionRows())

    for attr in ("volunteers", "elders", "carriers"):
        for row in getattr(rows, attr):
            if (target := bucket(row.region_code)) is not None:
                getattr(target, attr).append(row)
    for region_code in rows.operator_regions:
        if (target := bucket(region_code)) is not None:
            target.operator_regions.append(region_code)
    return children


def breakdown(scope_code: str, rows: RegionRows, period: Period,
              names: dict[str, str]) -> list[dict[str, Any]]:
    """One entry per child region: every known child (``names``), with zeros when empty,
    and any child code met in the data, ordered by code."""
    split = split_by_child(scope_code, rows)
    codes = sorted(set(names) | set(split))
    return [{"region_code": code, "name": names.get(code),
             **main_figures(split.get(code, RegionRows()), period)} for code in codes]


def region_statistics(scope_code: str, rows: RegionRows, period: Period,
                      child_names: dict[str, str]) -> dict[str, Any]:
    return {"region_code": scope_code, "period": period.view(),
            "volunteers": volunteer_figures(rows.volunteers, period),
            "elders": elder_figures(rows.elders, period),
            "carriers": carrier_figures(rows.carriers),
            "station_operators": len(rows.operator_regions),
            "children": breakdown(scope_code, rows, period, child_names)}
