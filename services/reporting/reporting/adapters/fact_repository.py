"""The facts, service days and event archive in SQL: one upsert per statement for a batch of
deltas (every level at once), sums per day range for a region or its children."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from timebank_common.db import insert_rows

from ..domain.facts import ServiceDay
from ..domain.periods import ACTIVE_CHANGE
from ..domain.rollup import Key
from .tables import event_archive, facts, service_days


def add(uow, totals: Mapping[Key, int]) -> None:
    """Add the rolled-up deltas to the facts (a row appears on its first delta)."""
    if not totals:
        return
    rows = [{"region_prefix": prefix, "parent_prefix": parent, "day": day,
             "category": category, "funding_source": funding, "measure": measure,
             "value": value}
            for (prefix, parent, day, category, funding, measure), value in sorted(
                totals.items(), key=lambda item: tuple(map(str, item[0])))]
    insert_rows(uow, facts, rows,
                "ON CONFLICT (region_prefix, day, measure, category, funding_source) "
                "DO UPDATE SET value = facts.value + excluded.value")


def add_service_days(uow, days: Iterable[ServiceDay]) -> None:
    rows = [{"region_code": d.region_code, "day": d.day, "volunteer_id": d.volunteer_id}
            for d in days]
    if rows:
        insert_rows(uow, service_days, rows, "ON CONFLICT DO NOTHING")


def archive(uow, envelopes: Sequence[Mapping[str, Any]], now: dt.datetime) -> None:
    """Keep each consumed envelope as received (a rebuild replays them)."""
    rows = [{"event_id": str(e["event_id"]), "event_type": e["event_type"],
             "occurred_at": e["occurred_at"], "envelope": e,
             "archived_at": now} for e in envelopes]
    if rows:
        insert_rows(uow, event_archive, rows, "ON CONFLICT (event_id) DO NOTHING")


READ_MODEL_TABLES = ("facts", "service_days", "service_records", "milestones_reached",
                     "evaluation_scores", "elder_service_days", "elder_day_counts",
                     "elder_priorities", "demand_progress")
"""What a rebuild empties and makes again from the event archive (everything derived from
events; not the archive, the inbox or the outbox)."""


def truncate_model(uow) -> None:
    uow.execute(sa.text(f"TRUNCATE {', '.join(READ_MODEL_TABLES)}"))


def archived(uow, after: tuple[dt.datetime, str] | None, limit: int) -> list[Any]:
    """The next archived envelopes in (occurred_at, event_id) order."""
    query = sa.select(event_archive.c.event_id, event_archive.c.occurred_at,
                      event_archive.c.envelope)
    if after is not None:
        query = query.where(sa.tuple_(event_archive.c.occurred_at, event_archive.c.event_id)
                            > sa.tuple_(sa.literal(after[0]), sa.literal(after[1])))
    query = query.order_by(event_archive.c.occurred_at, event_archive.c.event_id).limit(limit)
    return list(uow.execute(query))


def newest_applied(uow) -> dt.datetime | None:
    return uow.execute(sa.select(sa.func.max(event_archive.c.occurred_at))).scalar()


def sums_by_day(uow, prefix: str, first: dt.date, last: dt.date,
                measures: Sequence[str]) -> list[Any]:
    """(day, measure, value) of one region's own rows."""
    query = (sa.select(facts.c.day, facts.c.measure, sa.func.sum(facts.c.value))
             .where(facts.c.region_prefix == prefix, facts.c.day.between(first, last),
                    facts.c.measure.in_(measures))
             .group_by(facts.c.day, facts.c.measure))
    return list(uow.execute(query))


def sums_by_child(uow, prefix: str, first: dt.date, last: dt.date,
                  measures: Sequence[str]) -> list[Any]:
    """(child prefix, measure, value) of the regions one level below ``prefix``."""
    query = (sa.select(facts.c.region_prefix, facts.c.measure, sa.func.sum(facts.c.value))
             .where(facts.c.parent_prefix == prefix, facts.c.day.between(first, last),
                    facts.c.measure.in_(measures))
             .group_by(facts.c.region_prefix, facts.c.measure))
    return list(uow.execute(query))


def lock_volunteer(uow, volunteer_id: str) -> None:
    """Serialize the service days of one volunteer (what a day adds depends on the others)."""
    uow.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:v))"), {"v": volunteer_id})


def service_days_near(uow, volunteer_id: str, day: dt.date, window_days: int
                      ) -> list[tuple[str, dt.date]]:
    """(region code, day) of the volunteer's service days within ``window_days`` of ``day``."""
    query = (sa.select(service_days.c.region_code, service_days.c.day)
             .where(service_days.c.volunteer_id == volunteer_id,
                    service_days.c.day.between(day - dt.timedelta(days=window_days - 1),
                                               day + dt.timedelta(days=window_days - 1))))
    return [(row[0], row[1]) for row in uow.execute(query)]


def changes_by_day(uow, prefix: str, last: dt.date) -> list[Any]:
    """(day, change) of active volunteers in one region, every day up to ``last``."""
    query = (sa.select(facts.c.day, sa.func.sum(facts.c.value))
             .where(facts.c.region_prefix == prefix, facts.c.measure == ACTIVE_CHANGE,
                    facts.c.day <= last)
             .group_by(facts.c.day).order_by(facts.c.day))
    return list(uow.execute(query))


def active_by_child(uow, prefix: str, day: dt.date) -> dict[str, int]:
    """Active volunteers on ``day`` in each region one level below ``prefix``."""
    query = (sa.select(facts.c.region_prefix, sa.func.sum(facts.c.value))
             .where(facts.c.parent_prefix == prefix, facts.c.measure == ACTIVE_CHANGE,
                    facts.c.day <= day)
             .group_by(facts.c.region_prefix))
    return {row[0]: int(row[1]) for row in uow.execute(query)}
