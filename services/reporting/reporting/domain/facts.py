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

LOW_SCORE = 2
"""An evaluation this low or lower is a low score (demand's ``LOW_SCORE``: it opens a
follow-up)."""
PROPOSAL_MEASURES = {"held": "proposals_held", "applied": "proposals_applied",
                     "rejected": "proposals_rejected", "failed": "proposals_failed"}
"""matching's dispatch proposals by status, counted on the China day their run made them."""
INTERNAL_MEASURES = ("evaluations_low", "assignments", "no_shows", "withdrawals",
                     "services_unrecorded_township", "records_held_by_flag", "dispatch_runs",
                     *PROPOSAL_MEASURES.values())
"""Measures kept for demand's figures of supervision (``app/demand_figures.py``) and the held
records by flag, not offered in series: ``evaluations_low`` (scores of ``LOW_SCORE`` or
lower), ``assignments`` (volunteers assigned), ``no_shows``, ``withdrawals``,
``services_unrecorded_township`` (escalated to the township); ``disputes_resolved`` is kept
under the outcome as its category."""


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
class ElderServed:
    """An elder had a recorded service on this China day in this community (elders served)."""

    elder_id: str
    day: dt.date
    region_code: str


@dataclass(frozen=True)
class PriorityChange:
    """An elder's hardship category granted (+1) or withdrawn (−1): which elders served hold
    which category (a count, so the order events arrive in does not matter)."""

    elder_id: str
    category: str
    change: int


@dataclass(frozen=True)
class Effect:
    deltas: tuple[Delta, ...] = ()
    service_days: tuple[ServiceDay, ...] = ()
    elders_served: tuple[ElderServed, ...] = ()
    priorities: tuple[PriorityChange, ...] = ()


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
    day, region = occurred_on(envelope), effect.deltas[0].region_code
    served = ServiceDay(payload["volunteer_id"], day, region)
    elder = payload.get("elder_id")
    return Effect(effect.deltas, (served,),
                  (ElderServed(str(elder), day, region),) if elder else ())


def hours_credited(envelope: Mapping[str, Any]) -> Effect:
    payload = envelope["payload"]
    return _counts(envelope, ("minutes_credited", payload["minutes"]),
                   funding_source=payload.get("funding_source"))


def hours_given(envelope: Mapping[str, Any]) -> Effect:
    payload = envelope["payload"]
    measure = "minutes_gifted" if payload["kind"] == "gift_to_relative" else "minutes_donated"
    return _counts(envelope, (measure, payload["minutes"]))


def credit_corrected(envelope: Mapping[str, Any]) -> Effect:
    """Minutes taken back by a dispute's outcome, as a positive sum (``minutes_credited``
    stays gross: credited minus reversed is what volunteers hold of their credits)."""
    taken_back = -int(envelope["payload"]["minutes"])
    return _counts(envelope, ("minutes_reversed", taken_back)) if taken_back > 0 else Effect()


def hours_granted(envelope: Mapping[str, Any]) -> Effect:
    """Granted to a priority elder, under the hardship category granted for."""
    payload = envelope["payload"]
    return _counts(envelope, ("minutes_granted", payload["minutes"]),
                   category=payload.get("category"))


def pool_allocated(envelope: Mapping[str, Any]) -> Effect:
    return _counts(envelope, ("minutes_allocated", envelope["payload"]["minutes"]))


def _instant(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def _seconds_between(start: Any, end: Any) -> int | None:
    """Whole seconds from ``start`` to ``end`` (never below 0); None when either is unknown."""
    first, last = _instant(start), _instant(end)
    if first is None or last is None:
        return None
    return max(0, int((last - first).total_seconds()))


def demand_published(envelope: Mapping[str, Any]) -> Effect:
    """A published demand, and how long it waited since submission (events before demand
    said ``submitted_at`` add no wait)."""
    payload = envelope["payload"]
    wait = _seconds_between(payload.get("submitted_at"),
                            payload.get("published_at") or envelope["occurred_at"])
    return _counts(envelope, ("demands_published", 1),
                   *([("publication_wait_seconds", wait)] if wait is not None else []),
                   category=payload.get("category"))


def demand_started(envelope: Mapping[str, Any]) -> Effect:
    """The first check-in: a demand served, and the time from submission to service."""
    payload = envelope["payload"]
    wait = _seconds_between(payload.get("submitted_at"),
                            payload.get("started_at") or envelope["occurred_at"])
    return _counts(envelope, ("demands_served", 1),
                   *([("service_wait_seconds", wait)] if wait is not None else []),
                   category=payload.get("category"))


def recording_overdue(envelope: Mapping[str, Any]) -> Effect:
    """A checked-out service not recorded in time: counted once, at its first (``station``)
    reminder; the ``township`` escalation of the same service counts apart."""
    if envelope["payload"].get("level", "station") != "station":
        return _counts(envelope, ("services_unrecorded_township", 1))
    return _counts(envelope, ("services_unrecorded", 1))


def dispatch_run(envelope: Mapping[str, Any]) -> Effect:
    """matching's run: one more run, and its proposals held (until each is decided)."""
    return _counts(envelope, ("dispatch_runs", 1),
                   ("proposals_held", int(envelope["payload"]["proposed"])))


def proposal_decided(envelope: Mapping[str, Any]) -> Effect:
    """A held proposal decided: held −1, its status +1, on the day its run made it (so the
    counts by day do not depend on when the decision came)."""
    payload = envelope["payload"]
    region = _region(envelope, payload)
    status = PROPOSAL_MEASURES.get(payload["status"])
    created = _instant(payload.get("created_at")) or _instant(envelope["occurred_at"])
    if not region or status is None or created is None:
        return Effect()
    day = china_date(created)
    return Effect((Delta(day, region, UNSPECIFIED, UNSPECIFIED, "proposals_held", -1),
                   Delta(day, region, UNSPECIFIED, UNSPECIFIED, status, 1)))


def _priority(change: int) -> Callable[[Mapping[str, Any]], Effect]:
    def priority(envelope: Mapping[str, Any]) -> Effect:
        payload = envelope["payload"]
        counted = _counts(envelope, ("priority_elders", change), category=payload["category"])
        return Effect(counted.deltas,
                      priorities=(PriorityChange(payload["person_id"], payload["category"],
                                                 change),))
    priority.__name__ = "priority_granted" if change > 0 else "priority_revoked"
    return priority


def demand_cancelled(envelope: Mapping[str, Any]) -> Effect:
    """demand's reason ``expired``: nobody served it in its window."""
    expired = envelope["payload"].get("reason") == "expired"
    return _counts(envelope, ("demands_expired" if expired else "demands_cancelled", 1))


def evaluation_submitted(envelope: Mapping[str, Any]) -> Effect:
    score = envelope["payload"]["score"]
    return _counts(envelope, ("evaluations", 1), ("evaluation_score_sum", score),
                   *([("evaluations_low", 1)] if score <= LOW_SCORE else []))


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
    "demand_published": demand_published,
    # no facts: each demand's progress (demand_progress.py), as demand_assigned's too
    "demand_rejected": lambda envelope: Effect(),
    "demand_assigned": _counting("assignments"),
    "assignment_no_show": _counting("no_shows"),
    "assignment_withdrawn": _counting("withdrawals"),
    "demand_started": demand_started,
    "demand_cancelled": demand_cancelled,
    "evaluation_submitted": evaluation_submitted,
    "dispute_opened": _counting("disputes_opened"),
    "dispute_resolved": _counting("disputes_resolved", lambda p: p.get("outcome")),
    "record_held": record_held,
    "person_registered": person_registered,
    "volunteer_eligible": _counting("volunteers_eligible"),
    # no facts: kept as rows of its own for commendation (adapters/commendation_repository.py)
    "milestone_reached": lambda envelope: Effect(),
    # minutes_reversed; and the service record (records.py, adapters/record_repository.py)
    "credit_corrected": credit_corrected,
    "hours_granted": hours_granted,
    "pool_allocated": pool_allocated,
    "recording_overdue": recording_overdue,
    "elder_priority_granted": _priority(+1),
    "elder_priority_revoked": _priority(-1),
    # matching's: the first candidate (demand_progress.py), dispatch runs and decisions
    "first_candidate_found": lambda envelope: Effect(),
    "dispatch_run": dispatch_run,
    "proposal_decided": proposal_decided,
}
"""Event type → what it adds. Every event reporting consumes is here (and only those)."""


def effect_of(event_type: str, envelope: Mapping[str, Any]) -> Effect:
    return RULES[event_type](envelope)
