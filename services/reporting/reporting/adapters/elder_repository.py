"""The elder service days behind ``elders_served`` and the hardship categories elders hold, in
SQL. An elder's service day is kept once per region level with the elder's previous service
day under the same prefix (``prev_day``): an elder served in ``[a, b]`` is then exactly one row
with ``day`` in ``[a, b]`` and ``prev_day`` before ``a`` (or none), so a span or each period of
a series is counted from the ``(region_prefix, day)`` index alone, without DISTINCT."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from timebank_common.db import insert_rows

from ..domain.facts import ElderServed
from ..domain.rollup import prefixes
from .tables import elder_priorities, elder_service_days

_ELDER_LOCKS = 6
"""The advisory-lock class of elders (two-key locks do not overlap the volunteers' one-key
locks)."""

_ADD_DAY = sa.text("""
WITH levels(prefix, parent) AS (
    SELECT * FROM unnest(CAST(:prefixes AS text[]), CAST(:parents AS text[]))),
added AS (
    INSERT INTO elder_service_days (region_prefix, elder_id, day, prev_day, parent_prefix)
    SELECT l.prefix, CAST(:elder AS varchar), CAST(:day AS date),
           (SELECT max(s.day) FROM elder_service_days s
            WHERE s.region_prefix = l.prefix AND s.elder_id = CAST(:elder AS varchar) AND s.day < CAST(:day AS date)),
           l.parent
    FROM levels l
    ON CONFLICT DO NOTHING
    RETURNING region_prefix)
UPDATE elder_service_days s SET prev_day = CAST(:day AS date)
FROM added
WHERE s.region_prefix = added.region_prefix AND s.elder_id = CAST(:elder AS varchar)
  AND s.day = (SELECT min(t.day) FROM elder_service_days t
               WHERE t.region_prefix = added.region_prefix AND t.elder_id = CAST(:elder AS varchar)
                 AND t.day > CAST(:day AS date))
""")


def add_elder_day(uow, served: ElderServed) -> None:
    """Keep the elder's service day at every level (once), and make it the previous day of
    their next one; serialized per elder (two handlers may add days of one elder)."""
    uow.execute(sa.text("SELECT pg_advisory_xact_lock(:kind, hashtext(:elder))"),
                {"kind": _ELDER_LOCKS, "elder": served.elder_id})
    levels = prefixes(served.region_code)
    uow.execute(_ADD_DAY, {"prefixes": [p for p, _ in levels],
                           "parents": [parent for _, parent in levels],
                           "elder": served.elder_id, "day": served.day})


def change_priorities(uow, changes: Mapping[tuple[str, str], int]) -> None:
    """Add to each (elder, category)'s count of grants minus withdrawals (one sorted upsert)."""
    rows = [{"elder_id": elder, "category": category, "held": change}
            for (elder, category), change in sorted(changes.items())]
    if rows:
        insert_rows(uow, elder_priorities, rows,
                    "ON CONFLICT (elder_id, category) DO UPDATE "
                    "SET held = elder_priorities.held + excluded.held")


def _first_in_span(start: Any) -> Any:
    table = elder_service_days.c
    return sa.or_(table.prev_day.is_(None), table.prev_day < start)


def served_in_each(uow, prefix: str, spans: Sequence[tuple[dt.date, dt.date]]
                   ) -> dict[dt.date, int]:
    """Distinct elders served in each ``(first, last)`` span of one region, by span start."""
    if not spans:
        return {}
    rows = uow.execute(sa.text("""
        SELECT b.first, count(s.elder_id)
        FROM unnest(CAST(:firsts AS date[]), CAST(:lasts AS date[])) AS b(first, last)
        JOIN elder_service_days s
          ON s.region_prefix = :prefix AND s.day BETWEEN b.first AND b.last
         AND (s.prev_day IS NULL OR s.prev_day < b.first)
        GROUP BY b.first"""), {"prefix": prefix, "firsts": [f for f, _ in spans],
                               "lasts": [last for _, last in spans]})
    return {row[0]: int(row[1]) for row in rows}


def served_by_category(uow, prefix: str, first: dt.date, last: dt.date) -> dict[str, int]:
    """Distinct elders served in the span by the hardship categories they hold (an elder in
    each category they hold)."""
    s, p = elder_service_days.c, elder_priorities.c
    query = (sa.select(p.category, sa.func.count())
             .select_from(elder_service_days.join(
                 elder_priorities, sa.and_(p.elder_id == s.elder_id, p.held > 0)))
             .where(s.region_prefix == prefix, s.day.between(first, last),
                    _first_in_span(first))
             .group_by(p.category))
    return {row[0]: int(row[1]) for row in uow.execute(query)}


def served_by_child(uow, prefix: str, first: dt.date, last: dt.date) -> dict[str, int]:
    """Distinct elders served in the span in each region one level below ``prefix``."""
    s = elder_service_days.c
    query = (sa.select(s.region_prefix, sa.func.count())
             .where(s.parent_prefix == prefix, s.day.between(first, last),
                    _first_in_span(first))
             .group_by(s.region_prefix))
    return {row[0]: int(row[1]) for row in uow.execute(query)}


def truncate(uow) -> None:
    uow.execute(sa.text("TRUNCATE elder_service_days, elder_priorities"))
