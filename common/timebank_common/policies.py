"""Regional policy rows with effective dates, resolved per value (DESIGN.md §6).

A row is ``(region_code, effective_from, values)``; ``values`` may set any subset of a
service's keys. For each key the most specific region (community → township → county →
city → province) with a row in effect on the date (``effective_from <= date``) that sets
the key wins; at one level the latest ``effective_from`` (then the latest id) wins. A city
row that sets one threshold keeps the province's other values, and a later province
change still reaches that city. Used by demand's evidence thresholds; the ledger's
``domain/policy.py`` follows the same rule for its own keys.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .regions import prefix_of


@dataclass(frozen=True)
class PolicyRow:
    region_code: str
    effective_from: dt.date
    values: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass(frozen=True)
class Resolved:
    """The values in effect for one region on one date, and which row set each."""

    region_code: str
    on_date: dt.date
    values: dict[str, Any]
    sources: dict[str, dict[str, Any]]  # key -> {"region_code", "effective_from", "id"}


def resolve(rows: list[PolicyRow], keys: Iterable[str], region_code: str,
            on_date: dt.date) -> Resolved:
    candidates = [r for r in rows if r.effective_from <= on_date
                  and region_code.startswith(prefix_of(r.region_code))]
    candidates.sort(key=lambda r: (len(prefix_of(r.region_code)), r.effective_from, r.id or 0),
                    reverse=True)
    values: dict[str, Any] = {}
    sources: dict[str, dict[str, Any]] = {}
    for key in keys:
        for row in candidates:
            if key in row.values:
                values[key] = row.values[key]
                sources[key] = {"region_code": row.region_code,
                                "effective_from": row.effective_from.isoformat(), "id": row.id}
                break
    return Resolved(region_code, on_date, values, sources)

