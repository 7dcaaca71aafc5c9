"""The overview's sums from the facts: every measure of one region over a span, and a
measure's running total by category up to a day (the priority elders held)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa

from .tables import facts


def sums_over(uow, prefix: str, first: dt.date, last: dt.date,
              measures: Sequence[str]) -> dict[str, int]:
    """Each measure summed over ``[first, last]`` of one region's own rows."""
    query = (sa.select(facts.c.measure, sa.func.sum(facts.c.value))
             .where(facts.c.region_prefix == prefix, facts.c.day.between(first, last),
                    facts.c.measure.in_(measures))
             .group_by(facts.c.measure))
    return {row[0]: int(row[1]) for row in uow.execute(query)}


def held_by_category(uow, prefix: str, measure: str, day: dt.date) -> dict[str, int]:
    """A change measure's running total on ``day`` per category (its every change up to it)."""
    query = (sa.select(facts.c.category, sa.func.sum(facts.c.value))
             .where(facts.c.region_prefix == prefix, facts.c.measure == measure,
                    facts.c.day <= day)
             .group_by(facts.c.category))
    return {row[0]: int(row[1]) for row in uow.execute(query) if int(row[1])}


def sums_by_category(uow, prefix: str, first: dt.date, last: dt.date, measure: str
                     ) -> dict[str, int]:
    """A measure summed over ``[first, last]`` per category, of one region's own rows."""
    query = (sa.select(facts.c.category, sa.func.sum(facts.c.value))
             .where(facts.c.region_prefix == prefix, facts.c.day.between(first, last),
                    facts.c.measure == measure)
             .group_by(facts.c.category))
    return {row[0]: int(row[1]) for row in uow.execute(query) if int(row[1])}
