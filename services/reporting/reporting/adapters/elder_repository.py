"""The elder service days behind ``elders_served`` and the hardship categories elders hold, in
SQL. An elder's service day is kept once per region level with the elder's previous service
day under the same prefix (``prev_day``): an elder served in ``[a, b]`` is then exactly one
day with ``day`` in ``[a, b]`` and ``prev_day`` before ``a`` (or none). ``elder_day_counts``
keeps how many of a region's days have each ``(day, prev_day)``, so a span — or each period
of a series — is a sum over at most days × gaps rows, whatever the number of elders."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import sqlalchemy as sa

from timebank_common.db import insert_rows

from ..domain.facts import ElderServed
from ..domain.rollup import prefixes
from .tables import elder_day_counts, elder_priorities, elder_service_days

NONE_BEFORE = dt.date(1900, 1, 1)
"""``prev_day`` of an elder's first service day in ``elder_day_counts`` (before any span)."""
_ELDER_LOCKS = 6
"""The advisory-lock class of elders (two-key locks do not overlap the volunteers' one-key
locks)."""

CountKey = tuple[str, dt.date, dt.date, str]
"""(region prefix, day, previous day, parent prefix) of ``elder_day_counts``."""

_ADD_DAY = sa.text("""
WITH levels(prefix, parent) AS (
    SELECT * FROM unnest(CAST(:prefixes AS text[]), CAST(:parents AS text[]))),
added AS (
    INSERT INTO elder_service_days (region_prefix, elder_id, day, prev_day, parent_prefix)
    SELECT l.prefix, CAST(:elder AS varchar), CAST(:day AS date),
           (SELECT max(s.day) FROM elder_service_days s
            WHERE s.region_prefix = l.prefix AND s.elder_id = CAST(:elder AS varchar)
              AND s.day < CAST(:day AS date)),
           l.parent
    FROM levels l
    ON CONFLICT DO NOTHING
    RETURNING region_prefix, prev_day, parent_prefix),
following AS (
    SELECT a.region_prefix, a.prev_day, a.parent_prefix,
           (SELECT min(t.day) FROM elder_service_days t
            WHERE t.region_prefix = a.region_prefix AND t.elder_id = CAST(:elder AS varchar)
              AND t.day > CAST(:day AS date)) AS next_day
    FROM added a),
moved AS (
    UPDATE elder_service_days s SET prev_day = CAST(:day AS date)
    FROM following f
    WHERE s.region_prefix = f.region_prefix AND s.elder_id = CAST(:elder AS varchar)
      AND s.day = f.next_day)
SELECT region_prefix, prev_day, parent_prefix, next_day FROM following
""")


def add_elder_day(uow, served: ElderServed) -> dict[CountKey, int]:
    """Keep the elder's service day at every level (once), make it the previous day of their
    next one; the changes to ``elder_day_counts`` that makes (applied by ``add_day_counts``,
    once per transaction, sorted). Serialized per elder (two handlers may add days of one
    elder)."""
    uow.execute(sa.text("SELECT pg_advisory_xact_lock(:kind, hashtext(:elder))"),
                {"kind": _ELDER_LOCKS, "elder": served.elder_id})
    levels = prefixes(served.region_code)
    rows = uow.execute(_ADD_DAY, {"prefixes": [p for p, _ in levels],
                                  "parents": [parent for _, parent in levels],
                                  "elder": served.elder_id, "day": served.day})
    changes: dict[CountKey, int] = {}
    for prefix, prev_day, parent, next_day in rows:
        before = prev_day or NONE_BEFORE
        changes[(prefix, served.day, before, parent)] = 1
        if next_day is not None:  # the next day's previous day is now this one
            changes[(prefix, next_day, before, parent)] = -1
            changes[(prefix, next_day, served.day, parent)] = 1
    return changes


def add_day_counts(uow, changes: Mapping[CountKey, int]) -> None:
    """Add the changes to ``elder_day_counts`` (one sorted upsert: concurrent batches lock its
    rows in one order)."""
    rows = [{"region_prefix": prefix, "day": day, "prev_day": before, "parent_prefix": parent,
             "elders": change}
            for (prefix, day, before, parent), change in sorted(changes.items()) if change]
    if rows:
        insert_rows(uow, elder_day_counts, rows,
                    "ON CONFLICT (region_prefix, day, prev_day) DO UPDATE "
                    "SET elders = elder_day_counts.elders + excluded.elders")


def change_priorities(uow, changes: Mapping[tuple[str, str], int]) -> None:
    """Add to each (elder, category)'s count of grants minus withdrawals (one sorted upsert)."""
    rows = [{"elder_id": elder, "category": category, "held": change}
            for (elder, category), change in sorted(changes.items())]
    if rows:
        insert_rows(uow, elder_priorities, rows,
                    "ON CONFLICT (elder_id, category) DO UPDATE "
                    "SET held = elder_priorities.held + excluded.held")


def served_in_each(uow, prefix: str, spans: Sequence[tuple[dt.date, dt.date]]
                   ) -> dict[dt.date, int]:
    """Distinct elders served in each ``(first, last)`` span of one region, by span start."""
    if not spans:
        return {}
    rows = uow.execute(sa.text("""
        SELECT b.first, sum(c.elders)
        FROM unnest(CAST(:firsts AS date[]), CAST(:lasts AS date[])) AS b(first, last)
        JOIN elder_day_counts c
          ON c.region_prefix = :prefix AND c.day BETWEEN b.first AND b.last
         AND c.prev_day < b.first
        GROUP BY b.first"""), {"prefix": prefix, "firsts": [f for f, _ in spans],
                               "lasts": [last for _, last in spans]})
    return {row[0]: int(row[1]) for row in rows}


def served_by_child(uow, prefix: str, first: dt.date, last: dt.date) -> dict[str, int]:
    """Distinct elders served in the span in each region one level below ``prefix``."""
    c = elder_day_counts.c
    query = (sa.select(c.region_prefix, sa.func.sum(c.elders))
             .where(c.parent_prefix == prefix, c.day.between(first, last), c.prev_day < first)
             .group_by(c.region_prefix))
    return {row[0]: int(row[1]) for row in uow.execute(query) if int(row[1])}


def served_by_category(uow, prefix: str, first: dt.date, last: dt.date) -> dict[str, int]:
    """Distinct elders served in the span by the hardship categories they hold (an elder in
    each category they hold): each holder looked up by the primary key."""
    s, p = elder_service_days.c, elder_priorities.c
    # a scalar subquery with LIMIT is not turned into a join: one probe per holder, never a
    # scan of the region's every elder day
    served = (sa.select(s.day).where(s.region_prefix == prefix, s.elder_id == p.elder_id,
                                     s.day.between(first, last))
              .limit(1).correlate(elder_priorities).scalar_subquery())
    query = (sa.select(p.category, sa.func.count())
             .where(p.held > 0, served.is_not(None)).group_by(p.category))
    return {row[0]: int(row[1]) for row in uow.execute(query)}
