"""Applying consumed events to the read model: archive the envelope, add what it means (every
roll-up level), keep the volunteer's service day — in the caller's transaction, which also
holds the inbox record (a redelivered event changes nothing)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from ..adapters import (
    commendation_repository,
    demand_progress_repository,
    elder_repository,
    fact_repository,
    record_repository,
)
from ..domain.demand_progress import by_demand, progress_of
from ..domain.facts import UNSPECIFIED, Delta, ElderServed, ServiceDay, effect_of
from ..domain.periods import ACTIVE_CHANGE, ACTIVE_WINDOW_DAYS, activity_changes
from ..domain.records import fact_of
from ..domain.rollup import Key, rolled_up


def apply(uow, envelopes: Sequence[Mapping[str, Any]], now: dt.datetime) -> int:
    """Add the facts of ``envelopes`` (already archived, or being replayed); how many deltas.
    The service records they name are merged too (``domain.records``; ``now``: their
    ``updated_at``).

    Locks are taken in one order by every transaction, so concurrent batches cannot
    deadlock: the facts rows (one sorted upsert), then the volunteers (sorted), then the
    active-volunteer rows (one sorted upsert), then the elders (sorted), then their day
    counts (one sorted upsert), then the elders' categories (one sorted upsert), then the
    service records (sorted), then the demands' progress (one sorted upsert)."""
    deltas: list[Delta] = []
    days: list[ServiceDay] = []
    elders: list[ElderServed] = []
    priorities: dict[tuple[str, str], int] = defaultdict(int)
    for envelope in envelopes:
        effect = effect_of(envelope["event_type"], envelope)
        deltas.extend(effect.deltas)
        days.extend(effect.service_days)
        elders.extend(effect.elders_served)
        for held in effect.priorities:
            priorities[(held.elder_id, held.category)] += held.change
    fact_repository.add(uow, rolled_up(deltas))
    changes: dict[Key, int] = defaultdict(int)
    for day in sorted(days, key=lambda d: (d.volunteer_id, d.day, d.region_code)):
        for key, change in served(uow, day):
            changes[key] += change
    fact_repository.add(uow, changes)  # a change summing to 0 still touches its row, as live
    counts: dict[elder_repository.CountKey, int] = defaultdict(int)
    for elder in sorted(set(elders), key=lambda e: (e.elder_id, e.day, e.region_code)):
        for count_key, change in elder_repository.add_elder_day(uow, elder).items():
            counts[count_key] += change
    elder_repository.add_day_counts(uow, counts)
    elder_repository.change_priorities(uow, priorities)
    commendation_repository.keep(uow, envelopes)  # star levels reached, evaluations' stations
    record_repository.apply(uow, [fact for fact in map(fact_of, envelopes) if fact], now)
    demand_progress_repository.apply(uow, by_demand(
        progress for progress in map(progress_of, envelopes) if progress))
    return len(deltas)


def served(uow, service_day: ServiceDay) -> list[tuple[Key, int]]:
    """Keep a volunteer's service day; the changes it makes to active volunteers at each region
    level, the days their other service days did not cover (``periods.activity_changes``)."""
    fact_repository.lock_volunteer(uow, service_day.volunteer_id)
    others = fact_repository.service_days_near(uow, service_day.volunteer_id, service_day.day,
                                               ACTIVE_WINDOW_DAYS)
    fact_repository.add_service_days(uow, [service_day])
    return [((prefix, parent, day, UNSPECIFIED, UNSPECIFIED, ACTIVE_CHANGE), change)
            for prefix, parent, day, change in activity_changes(
                service_day.region_code, service_day.day, others)]


def absorb(uow, envelopes: Sequence[Mapping[str, Any]], now: dt.datetime) -> int:
    """A live event (or batch): archived as received, then applied."""
    fact_repository.archive(uow, envelopes, now)
    return apply(uow, envelopes, now)
