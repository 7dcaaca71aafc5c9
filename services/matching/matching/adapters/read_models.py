"""Replacing the read models with the facts fetched from the services that own them
(``app.rebuild`` fetches them first, so a service that does not answer leaves the old model).

Sources: identity ``matching_volunteers`` (eligible volunteers and their valid qualification
kinds) and ``priority_elders``; demand ``matching_demands`` (demands still ahead or under way,
their open slots and active assignments) and ``service_records`` (completions and minutes).
Ratings and no-shows are kept as they are: demand has no listing of evaluations and no-shows
yet, so they are not dropped.

Matching's own data — volunteers' preferences, region settings, dispatch runs and proposals,
demand outcomes — is never dropped.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, text, update

from timebank_common.db import UnitOfWork

from ..domain.city_feed import city_unit
from .change_log import note_everything
from .service_history import month_of
from .tables import (
    assignments,
    monthly_minutes,
    open_demands,
    priority_categories,
    priority_elders,
    slot_counts,
    volunteer_history,
    volunteers,
)


def _ts(value: Any) -> Any:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


Facts = Sequence[Mapping[str, Any]]


def replace_read_models(uow: UnitOfWork, people: Facts, demands: Facts, records: Facts,
                        priority: Mapping[str, Sequence[str]], now: dt.datetime
                        ) -> dict[str, int]:
    """Drop the derived rows and load the fetched facts, in the caller's transaction
    (``priority``: each priority elder's categories held)."""
    uow.execute(text("LOCK TABLE volunteers, open_demands, slot_counts, assignments, "
                     "priority_elders, priority_categories, monthly_minutes, volunteer_history "
                     "IN EXCLUSIVE MODE"))
    for table in (volunteers, open_demands, slot_counts, assignments, priority_elders,
                  priority_categories, monthly_minutes):
        uow.execute(delete(table))
    if people:
        uow.execute(insert(volunteers), [
            {"person_id": p["person_id"], "region_code": p["region_code"], "eligible": True,
             "qualifications": sorted(p["qualifications"]), "as_of": now} for p in people])
    open_rows: list[dict[str, Any]] = []
    assignment_rows: list[dict[str, Any]] = []
    for d in demands:
        start, end = _ts(d["window_start"]), _ts(d["window_end"])
        location = d.get("location") or {}
        if d["open_slots"] > 0:
            open_rows.append({
                "demand_id": d["demand_id"], "region_code": d["region_code"],
                "city_unit": city_unit(d["region_code"]), "category": d["category"],
                "elder_id": d["elder_id"], "window_start": start, "window_end": end,
                "expected_minutes": d["expected_minutes"], "open_slots": d["open_slots"],
                "location_lat": location.get("lat"), "location_lng": location.get("lng"),
                "published_at": _ts(d["published_at"]),
                "qualifications": d.get("qualifications") or []})
        assignment_rows += [{"demand_id": d["demand_id"], "volunteer_id": v,
                             "window_start": start, "window_end": end}
                            for v in d.get("volunteer_ids") or []]
    if open_rows:
        uow.execute(insert(open_demands), open_rows)
    if assignment_rows:
        uow.execute(insert(assignments), assignment_rows)
    if priority:
        uow.execute(insert(priority_elders), [{"elder_id": e} for e in sorted(priority)])
        uow.execute(insert(priority_categories), [
            {"elder_id": e, "category": c, "held": True, "as_of": now}
            for e, categories in sorted(priority.items()) for c in sorted(set(categories))])
    completed = Counter(r["volunteer_id"] for r in records)
    minutes: Counter[tuple[str, str]] = Counter()
    for r in records:
        minutes[(r["volunteer_id"], month_of(_ts(r["recorded_at"])))] += r["minutes"]
    if minutes:
        uow.execute(insert(monthly_minutes), [
            {"volunteer_id": v, "month": m, "minutes": n} for (v, m), n in minutes.items()])
    uow.execute(update(volunteer_history).values(completed=0))
    for volunteer_id, count in completed.items():
        uow.execute(text(
            "INSERT INTO volunteer_history (volunteer_id, completed, no_shows, rating_sum, "
            "rating_count) VALUES (:v, :c, 0, 0, 0) ON CONFLICT (volunteer_id) DO UPDATE "
            "SET completed = :c"), {"v": volunteer_id, "c": count})
    note_everything(uow)  # every process rebuilds its views
    return {"volunteers": len(people), "open_demands": len(open_rows),
            "assignments": len(assignment_rows), "priority_elders": len(priority),
            "service_records": len(records)}
