"""The commendation lists (表扬奖励) of a region and period, pure: ranked from the rows the
repository reads, names added afterwards (masked for people: a public list).

* **Star levels reached** (``milestones``): every volunteer of the region whose cumulative
  service reached a star level in the period (the ledger's ``milestone_reached``), highest
  level first, then the earliest.
* **Most-served stations** (``busiest``): stations (the recording carrier of each service
  record) by services in the period, then minutes (credited where credited, else recorded).
* **Best-rated stations** (``best_rated``): mean evaluation score of the services a station
  recorded, among stations with at least ``MIN_EVALUATIONS`` evaluations in the period; then
  the number of evaluations.
* **Long-serving volunteers** (``long_serving``): volunteers who served (a recorded service
  in the region) in **each** of the ``LONG_SERVICE_MONTHS`` calendar months ending with the
  period's last month, ranked by their service days in those months.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from timebank_common.documents import mask_name

LONG_SERVICE_MONTHS = 6
MIN_EVALUATIONS = 3


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_back(first: dt.date, count: int) -> list[dt.date]:
    """The ``count`` first days of month ending with ``first``'s month, oldest first."""
    out, year, month = [], first.year, first.month
    for _ in range(count):
        out.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def milestones(rows: Iterable[tuple[str, int, int, dt.date]], limit: int) -> list[dict[str, Any]]:
    """(person_id, level, cumulative_minutes, day) → the highest level each person reached in
    the period, highest level first, then earliest; at most ``limit`` per level."""
    best: dict[str, tuple[str, int, int, dt.date]] = {}
    for row in rows:
        kept = best.get(row[0])
        if kept is None or (row[1], -row[3].toordinal()) > (kept[1], -kept[3].toordinal()):
            best[row[0]] = row
    out, per_level = [], defaultdict(int)  # type: ignore[var-annotated]
    for person, level, minutes, day in sorted(best.values(),
                                              key=lambda r: (-r[1], r[3], r[0])):
        if per_level[level] < limit:
            per_level[level] += 1
            out.append({"person_id": person, "level": level, "cumulative_minutes": minutes,
                        "day": day})
    return out


def busiest(rows: Iterable[tuple[str, int, int]], limit: int) -> list[dict[str, Any]]:
    """(carrier_id, services, minutes) → by services, then minutes, then id."""
    ranked = sorted(rows, key=lambda r: (-r[1], -r[2], r[0]))[:limit]
    return [{"rank": i, "carrier_id": c, "services": int(s), "minutes": int(m)}
            for i, (c, s, m) in enumerate(ranked, 1)]


def best_rated(rows: Iterable[tuple[str, int, int]], limit: int,
               min_evaluations: int = MIN_EVALUATIONS) -> list[dict[str, Any]]:
    """(carrier_id, evaluations, score sum) → by mean score, then evaluations, then id."""
    kept = [(c, int(n), int(total)) for c, n, total in rows if n >= min_evaluations]
    ranked = sorted(kept, key=lambda r: (-r[2] / r[1], -r[1], r[0]))[:limit]
    return [{"rank": i, "carrier_id": c, "evaluations": n,
             "mean_score": round(total / n, 2)} for i, (c, n, total) in enumerate(ranked, 1)]


def long_serving(rows: Iterable[tuple[str, dt.date, int]], last_month: dt.date,
                 limit: int, months: int = LONG_SERVICE_MONTHS) -> list[dict[str, Any]]:
    """(volunteer_id, first day of a month, service days in it) → those who served in each of
    the ``months`` months ending with ``last_month``, by service days in them, then id."""
    wanted = set(months_back(month_start(last_month), months))
    served: dict[str, set[dt.date]] = defaultdict(set)
    days: dict[str, int] = defaultdict(int)
    for volunteer, month, count in rows:
        if month in wanted and count > 0:
            served[volunteer].add(month)
            days[volunteer] += int(count)
    ranked = sorted((v for v in served if len(served[v]) == len(wanted)),
                    key=lambda v: (-days[v], v))[:limit]
    return [{"rank": i, "volunteer_id": v, "months_served": months, "days_served": days[v]}
            for i, v in enumerate(ranked, 1)]


def named(lists: dict[str, list[dict[str, Any]]], people: dict[str, str],
          stations: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """The lists with names: people's masked (``张*明``; a public list), stations' as
    identity names them (unknown: empty)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for key, rows in lists.items():
        out[key] = []
        for row in rows:
            row = dict(row)
            if "carrier_id" in row:
                row["name"] = stations.get(row["carrier_id"], "")
            else:
                person = row.get("person_id") or row.get("volunteer_id") or ""
                row["name"] = mask_name(people.get(person, ""))
            out[key].append(row)
    return out
