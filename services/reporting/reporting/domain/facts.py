"""What each consumed event adds to the read model: pure, from the envelope a handler read with
the producer's contract (``CONTRACT.load_event``) to the fact deltas and service days it means.

A fact is counted on the China day the event occurred (its ``occurred_at``), in the community
the envelope names (its ``region_code``), under the demand's category and the funding source
where the event says them (``-`` where it does not): summing deltas is commutative, so a
rebuild that replays the archive gives the same figures as the live feed."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from timebank_common.clock import china_date

UNSPECIFIED = "-"
"""A dimension the event does not carry."""


@dataclass(frozen=True)
class Delta:
    day: dt.date
    region_code: str
    category: str
    funding_source: str
    measure: str
    value: int


@dataclass(frozen=True)
class ServiceDay:
    """A volunteer served on this China day in this community (for active volunteers)."""

    volunteer_id: str
    day: dt.date
    region_code: str


@dataclass(frozen=True)
class Effect:
    deltas: tuple[Delta, ...] = ()
    service_days: tuple[ServiceDay, ...] = ()


def occurred_on(envelope: Mapping[str, Any]) -> dt.date:
    moment = envelope["occurred_at"]
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return china_date(moment)


def _region(envelope: Mapping[str, Any], payload: Mapping[str, Any]) -> str | None:
    return envelope.get("region_code") or payload.get("region_code")


def _counts(envelope: Mapping[str, Any], *measures: tuple[str, int],
            category: str | None = None, funding_source: str | None = None) -> Effect:
    region = _region(envelope, envelope["payload"])
    if not region:
        return Effect()  # a fact of no place cannot be supervised anywhere
    day = occurred_on(envelope)
    return Effect(tuple(Delta(day, region, category or UNSPECIFIED,
                              funding_source or UNSPECIFIED, measure, value)
                        for measure, value in measures))


def service_recorded(envelope: Mapping[str, Any]) -> Effect:
    payload = envelope["payload"]
    funding = payload.get("funding_source") or "issuance"
    measures = [("services_recorded", 1), ("service_minutes", payload["minutes"])]
    if funding == "own_hours":  # the elder spends their own earned hours
        measures.append(("minutes_spent", payload["minutes"]))
    effect = _counts(envelope, *measures, category=payload.get("category"),
                     funding_source=funding)
    if not effect.deltas:
        return effect
    served = ServiceDay(payload["volunteer_id"], occurred_on(envelope),
                        effect.deltas[0].region_code)
    return Effect(effect.deltas, (served,))


def hours_credited(envelope: Mapping[str, Any]) -> Effect:
    payload = envelope["payload"]
    return _counts(envelope, ("minutes_credited", payload["minutes"]),
                   funding_source=payload.get("funding_source"))


def hours_given(envelope: Mapping[str, Any]) -> Effect:
    payload = envelope["payload"]
    measure = "minutes_gifted" if payload["kind"] == "gift_to_relative" else "minutes_donated"
    return _counts(envelope, (measure, payload["minutes"]))


def demand_cancelled(envelope: Mapping[str, Any]) -> Effect:
    """demand's reason ``expired``: nobody served it in its window."""
    expired = envelope["payload"].get("reason") == "expired"
    return _counts(envelope, ("demands_expired" if expired else "demands_cancelled", 1))


def evaluation_submitted(envelope: Mapping[str, Any]) -> Effect:
    return _counts(envelope, ("evaluations", 1),
                   ("evaluation_score_sum", envelope["payload"]["score"]))


def record_held(envelope: Mapping[str, Any]) -> Effect:
    """One held record, and one per flag under the flag's code as its category."""
    base = _counts(envelope, ("records_held", 1))
    if not base.deltas:
        return base
    first = base.deltas[0]
    flags = [Delta(first.day, first.region_code, str(flag.get("code") or UNSPECIFIED),
                   UNSPECIFIED, "records_held_by_flag", 1)
             for flag in envelope["payload"].get("flags") or []]
    return Effect(base.deltas + tuple(flags))


def person_registered(envelope: Mapping[str, Any]) -> Effect:
    profile = envelope["payload"]["profile"]
    measure = {"volunteer": "volunteers_registered", "elder": "elders_registered"}.get(profile)
    return _counts(envelope, (measure, 1)) if measure else Effect()


def _counting(measure: str, category_of: Callable[[Mapping[str, Any]], Any] | None = None
              ) -> Callable[[Mapping[str, Any]], Effect]:
    def count(envelope: Mapping[str, Any]) -> Effect:
        category = category_of(envelope["payload"]) if category_of else None
        return _counts(envelope, (measure, 1), category=category)
    count.__name__ = measure
    return count


RULES: dict[str, Callable[[Mapping[str, Any]], Effect]] = {
    "service_recorded": service_recorded,
    "hours_credited": hours_credited,
    "hours_given": hours_given,
    "demand_submitted": _counting("demands_submitted", lambda p: p.get("category")),
    "demand_published": _counting("demands_published", lambda p: p.get("category")),
    "demand_started": _counting("demands_served"),
    "demand_cancelled": demand_cancelled,
    "evaluation_submitted": evaluation_submitted,
    "dispute_opened": _counting("disputes_opened"),
    "dispute_resolved": _counting("disputes_resolved"),
    "record_held": record_held,
    "person_registered": person_registered,
    "volunteer_eligible": _counting("volunteers_eligible"),
    # no facts: kept as rows of its own for commendation (adapters/commendation_repository.py)
    "milestone_reached": lambda envelope: Effect(),
    "credit_corrected": lambda envelope: Effect(),  # the service records only (records.py)
}
"""Event type → what it adds. Every event reporting consumes is here (and only those)."""


def effect_of(event_type: str, envelope: Mapping[str, Any]) -> Effect:
    return RULES[event_type](envelope)
