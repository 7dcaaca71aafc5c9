"""Demand figures for supervisors (pure): counts, timings and completion of the demands
submitted in a period.

The answer is a dict of sections; each section is computed by one function of the rows in
``SECTIONS`` (name -> function). Figures owned elsewhere in the service (no-show rate,
satisfaction, disputes) are added as further sections by adding to ``SECTIONS`` or by
passing ``extra`` to ``demand_figures``.
"""
from __future__ import annotations

import datetime as dt
import statistics as pystats
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..contracts.enums import CANCELLED, EVALUATED, EXPIRED_REASON, RECORDED, STATUSES

COMPLETED = frozenset({RECORDED, EVALUATED})


@dataclass(frozen=True)
class DemandRow:
    status: str
    category: str
    channel: str
    submitted_at: dt.datetime
    published_at: dt.datetime | None  # approval time; None if never approved
    first_assigned_at: dt.datetime | None
    ever_assigned: bool
    cancel_reason: str | None = None

    @property
    def expired(self) -> bool:
        """Closed because nobody served it in its window (``Demand.expire``)."""
        return self.status == CANCELLED and self.cancel_reason == EXPIRED_REASON


def _minutes(deltas: list[dt.timedelta]) -> dict[str, Any]:
    values = [d.total_seconds() / 60 for d in deltas]
    if not values:
        return {"count": 0, "median_minutes": None, "mean_minutes": None}
    return {"count": len(values), "median_minutes": round(pystats.median(values), 1),
            "mean_minutes": round(pystats.fmean(values), 1)}


def counts(rows: list[DemandRow]) -> dict[str, Any]:
    by_status = Counter(r.status for r in rows)
    return {"total": len(rows),
            "by_status": {s: by_status.get(s, 0) for s in STATUSES if by_status.get(s)},
            "by_category": dict(sorted(Counter(r.category for r in rows).items())),
            "by_channel": dict(sorted(Counter(r.channel for r in rows).items()))}


def timings(rows: list[DemandRow]) -> dict[str, Any]:
    return {
        "submission_to_publication": _minutes(
            [r.published_at - r.submitted_at for r in rows if r.published_at]),
        "submission_to_first_assignment": _minutes(
            [r.first_assigned_at - r.submitted_at for r in rows if r.first_assigned_at]),
    }


def completion(rows: list[DemandRow]) -> dict[str, Any]:
    """completed / (completed + cancelled after someone was assigned); ``expired``: the
    demands closed because nobody served them in their window (never claimed, never
    reviewed, or everyone withdrew or did not show up) — elders left without the help they
    asked for. An expired demand someone had once taken also counts in
    ``cancelled_after_assignment``; one never taken is in ``expired`` only."""
    completed = sum(1 for r in rows if r.status in COMPLETED)
    failed = sum(1 for r in rows if r.status == CANCELLED and r.ever_assigned)
    decided = completed + failed
    return {"completed": completed, "cancelled_after_assignment": failed,
            "expired": sum(1 for r in rows if r.expired),
            "rate": round(completed / decided, 4) if decided else None}


def elders_served(served: list[tuple[str, str]]) -> dict[str, Any]:
    """Distinct elders served, from ``(elder_id, category)`` of the services recorded in the
    period (rejected and voided records left out): an elder served twice counts once in
    ``elders``, and once in each service category they were served in (``by_category``: so
    its values may add up to more than ``elders``). Demand does not hold the elders' hardship
    categories (identity does), so they are not broken down by it here."""
    by_category: dict[str, set[str]] = {}
    for elder_id, category in served:
        by_category.setdefault(category, set()).add(elder_id)
    return {"elders": len({elder_id for elder_id, _ in served}),
            "by_category": {c: len(e) for c, e in sorted(by_category.items())}}


SECTIONS: dict[str, Callable[[list[DemandRow]], dict[str, Any]]] = {
    "demands": counts,
    "timing": timings,
    "completion": completion,
}


def demand_figures(rows: list[DemandRow], extra: dict[str, dict[str, Any]] | None = None
                   ) -> dict[str, Any]:
    """Every section of ``SECTIONS`` over ``rows``, plus ready-made ``extra`` sections."""
    out = {name: compute(rows) for name, compute in SECTIONS.items()}
    out.update(extra or {})
    return out
