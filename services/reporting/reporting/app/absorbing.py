"""Applying consumed events to the read model: archive the envelope, add what it means (every
roll-up level), keep the volunteer's service day — in the caller's transaction, which also
holds the inbox record (a redelivered event changes nothing)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from ..adapters import fact_repository
from ..domain.facts import Delta, ServiceDay, effect_of
from ..domain.rollup import rolled_up


def apply(uow, envelopes: Sequence[Mapping[str, Any]]) -> int:
    """Add the facts of ``envelopes`` (already archived, or being replayed); how many deltas."""
    deltas: list[Delta] = []
    days: list[ServiceDay] = []
    for envelope in envelopes:
        effect = effect_of(envelope["event_type"], envelope)
        deltas.extend(effect.deltas)
        days.extend(effect.service_days)
    fact_repository.add(uow, rolled_up(deltas))
    fact_repository.add_service_days(uow, days)
    return len(deltas)


def absorb(uow, envelopes: Sequence[Mapping[str, Any]], now: dt.datetime) -> int:
    """A live event (or batch): archived as received, then applied."""
    fact_repository.archive(uow, envelopes, now)
    return apply(uow, envelopes)
