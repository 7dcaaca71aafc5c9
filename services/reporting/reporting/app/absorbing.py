"""Applying consumed events to the read model: archive the envelope, add what it means (every
roll-up level), keep the volunteer's service day — in the caller's transaction, which also
holds the inbox record (a redelivered event changes nothing)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from ..adapters import fact_repository
from ..domain.facts import UNSPECIFIED, Delta, ServiceDay, effect_of
from ..domain.periods import ACTIVE_CHANGE, ACTIVE_WINDOW_DAYS, activity_changes
from ..domain.rollup import Key, rolled_up


def apply(uow, envelopes: Sequence[Mapping[str, Any]]) -> int:
    """Add the facts of ``envelopes`` (already archived, or being replayed); how many deltas."""
    deltas: list[Delta] = []
    days: list[ServiceDay] = []
    for envelope in envelopes:
        effect = effect_of(envelope["event_type"], envelope)
        deltas.extend(effect.deltas)
        days.extend(effect.service_days)
    fact_repository.add(uow, rolled_up(deltas))
    for day in days:
        served(uow, day)
    return len(deltas)


def served(uow, service_day: ServiceDay) -> None:
    """Keep a volunteer's service day, and the days it makes them active at each region level
    that their other service days did not (``periods.activity_changes``)."""
    fact_repository.lock_volunteer(uow, service_day.volunteer_id)
    others = fact_repository.service_days_near(uow, service_day.volunteer_id, service_day.day,
                                               ACTIVE_WINDOW_DAYS)
    changes: dict[Key, int] = defaultdict(int)
    for prefix, parent, day, change in activity_changes(service_day.region_code,
                                                        service_day.day, others):
        changes[(prefix, parent, day, UNSPECIFIED, UNSPECIFIED, ACTIVE_CHANGE)] += change
    fact_repository.add_service_days(uow, [service_day])
    fact_repository.add(uow, changes)


def absorb(uow, envelopes: Sequence[Mapping[str, Any]], now: dt.datetime) -> int:
    """A live event (or batch): archived as received, then applied."""
    fact_repository.archive(uow, envelopes, now)
    return apply(uow, envelopes)
