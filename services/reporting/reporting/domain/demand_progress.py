"""Each demand's progress from demand's events, pure: what an event says about its demand
(``progress_of``) and the demand figures of ``/api/v1/stats`` from the merged rows
(``figures``) — the ``demands``, ``timing`` and ``completion`` sections of demand's own
``demand_stats`` (``DemandStatsOut``), for the demands submitted in a span.

Every field merges so that the order of arrival does not matter (``adapters/
demand_progress_repository.py``): the first-known place, category and channel stay, the
earliest submission, publication and assignment instants win, ``ever_assigned`` once true
stays true, and the status is the furthest one reached (``RANKS``: a cancelled or rejected
demand is closed whatever came before; an evaluation is after its record, a record after
the service began). One thing events do not say: a demand whose only volunteer withdrew is
``published`` again at demand but stays ``assigned`` here until it moves on."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from demand.contracts.enums import (
    ASSIGNED,
    AWAITING_RECORD,
    CANCELLED,
    EVALUATED,
    EXPIRED_REASON,
    IN_SERVICE,
    PUBLISHED,
    RECORDED,
    REJECTED,
    STATUSES,
    SUBMITTED,
)
from timebank_common.clock import china_date

RANKS = {SUBMITTED: 0, PUBLISHED: 1, ASSIGNED: 2, IN_SERVICE: 3, AWAITING_RECORD: 4,
         RECORDED: 5, EVALUATED: 6, REJECTED: 8, CANCELLED: 9}
"""How far a demand got: the merged status is the highest reached."""
STATUS_OF_RANK = {rank: status for status, rank in RANKS.items()}
COMPLETED = frozenset({RECORDED, EVALUATED})

CONSUMED = ("demand_submitted", "demand_published", "demand_rejected", "demand_assigned",
            "demand_started", "recording_overdue", "service_recorded",
            "evaluation_submitted", "demand_cancelled", "first_candidate_found")
"""The events that move a demand (each carries ``demand_id``)."""
DEFAULT_CHOOSER = "default"
"""``funding_chosen_by`` of a demand whose payer nobody chose (demand's own word)."""
UNKNOWN = "-"
"""A funding source events did not say (``demand_submitted`` before it carried one)."""


@dataclass(frozen=True)
class Progress:
    """What one event says about one demand (None: it does not say)."""

    demand_id: str
    rank: int = 0
    region_code: str | None = None
    category: str | None = None
    channel: str | None = None
    submitted_at: dt.datetime | None = None
    published_at: dt.datetime | None = None
    first_assigned_at: dt.datetime | None = None
    ever_assigned: bool = False
    cancel_reason: str | None = None
    funding_source: str | None = None
    funding_chosen_by: str | None = None
    fallback: bool = False
    shortfall_minutes: int = 0
    first_candidate_at: dt.datetime | None = None

    @property
    def submitted_day(self) -> dt.date | None:
        return china_date(self.submitted_at) if self.submitted_at else None


def _instant(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def progress_of(envelope: Mapping[str, Any]) -> Progress | None:
    """The progress an envelope of a consumed event tells (None: not about a demand)."""
    event_type, payload = envelope["event_type"], envelope["payload"]
    demand_id = payload.get("demand_id")
    if event_type not in CONSUMED or not demand_id:
        return None
    at = _instant(envelope["occurred_at"])
    region = envelope.get("region_code") or payload.get("region_code")
    if event_type == "demand_submitted":
        source = payload.get("funding_source")
        return Progress(demand_id, RANKS[SUBMITTED], region, payload.get("category"),
                        payload.get("channel"), submitted_at=at, funding_source=source,
                        funding_chosen_by=(payload.get("funding_chosen_by") or DEFAULT_CHOOSER)
                        if source else None)
    if event_type == "demand_published":
        return Progress(demand_id, RANKS[PUBLISHED], region, payload.get("category"),
                        submitted_at=_instant(payload.get("submitted_at")),
                        published_at=_instant(payload.get("published_at")) or at,
                        fallback=payload.get("fallback_reason") is not None,
                        shortfall_minutes=int(payload.get("funding_shortfall_minutes") or 0))
    if event_type == "first_candidate_found":  # matching's
        return Progress(demand_id, RANKS[SUBMITTED], region,
                        first_candidate_at=_instant(payload.get("found_at")) or at)
    if event_type == "demand_rejected":
        return Progress(demand_id, RANKS[REJECTED], region)
    if event_type == "demand_assigned":
        return Progress(demand_id, RANKS[ASSIGNED], first_assigned_at=at, ever_assigned=True)
    if event_type == "demand_started":
        return Progress(demand_id, RANKS[IN_SERVICE], region, payload.get("category"),
                        submitted_at=_instant(payload.get("submitted_at")),
                        ever_assigned=True)
    if event_type == "recording_overdue":
        return Progress(demand_id, RANKS[AWAITING_RECORD], region, ever_assigned=True)
    if event_type == "service_recorded":
        return Progress(demand_id, RANKS[RECORDED], ever_assigned=True)
    if event_type == "evaluation_submitted":
        status = EVALUATED if payload.get("demand_status") == EVALUATED else RECORDED
        return Progress(demand_id, RANKS[status], ever_assigned=True)
    return Progress(demand_id, RANKS[CANCELLED], region, cancel_reason=payload.get("reason"))


def _first(a: Any, b: Any) -> Any:
    return a if a is not None else b


def _earliest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return min(a, b) if a is not None and b is not None else _first(a, b)


def combined(a: Progress, b: Progress) -> Progress:
    """Two progresses of one demand as one, by the rules the SQL merge applies (so a batch
    names each demand once)."""
    return Progress(a.demand_id, max(a.rank, b.rank), _first(a.region_code, b.region_code),
                    _first(a.category, b.category), _first(a.channel, b.channel),
                    _earliest(a.submitted_at, b.submitted_at),
                    _earliest(a.published_at, b.published_at),
                    _earliest(a.first_assigned_at, b.first_assigned_at),
                    a.ever_assigned or b.ever_assigned,
                    _first(a.cancel_reason, b.cancel_reason),
                    _first(a.funding_source, b.funding_source),
                    _first(a.funding_chosen_by, b.funding_chosen_by),
                    a.fallback or b.fallback, max(a.shortfall_minutes, b.shortfall_minutes),
                    _earliest(a.first_candidate_at, b.first_candidate_at))


def by_demand(progresses: Iterable[Progress]) -> list[Progress]:
    """One progress per demand, in demand order (the order rows are locked in)."""
    out: dict[str, Progress] = {}
    for progress in progresses:
        known = out.get(progress.demand_id)
        out[progress.demand_id] = progress if known is None else combined(known, progress)
    return [out[demand_id] for demand_id in sorted(out)]


@dataclass(frozen=True)
class Group:
    """How many demands of a span share these (a ``GROUP BY`` row)."""

    rank: int
    category: str | None
    channel: str | None
    ever_assigned: bool
    cancel_reason: str | None
    demands: int


@dataclass(frozen=True)
class Waits:
    """How many demands waited, the exact median and the mean, in minutes (None: none)."""

    count: int
    median_minutes: float | None
    mean_minutes: float | None


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _waits(waits: Waits) -> dict[str, Any]:
    return {"count": waits.count, "median_minutes": _rounded(waits.median_minutes),
            "mean_minutes": _rounded(waits.mean_minutes)}


def figures(groups: Iterable[Group], to_publication: Waits, to_assignment: Waits
            ) -> dict[str, Any]:
    """demand's ``demands``, ``timing`` and ``completion`` sections (``demand.domain.
    statistics``: the same rules) of the demands the groups count."""
    by_status: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    by_channel: Counter[str] = Counter()
    completed = failed = expired = 0
    for group in groups:
        status = STATUS_OF_RANK.get(group.rank, SUBMITTED)
        by_status[status] += group.demands
        by_category[group.category or "-"] += group.demands
        by_channel[group.channel or "-"] += group.demands
        if status in COMPLETED:
            completed += group.demands
        if status == CANCELLED and group.ever_assigned:
            failed += group.demands
        if status == CANCELLED and group.cancel_reason == EXPIRED_REASON:
            expired += group.demands
    decided = completed + failed
    return {
        "demands": {"total": sum(by_status.values()),
                    "by_status": {s: by_status[s] for s in STATUSES if by_status.get(s)},
                    "by_category": dict(sorted(by_category.items())),
                    "by_channel": dict(sorted(by_channel.items()))},
        "timing": {"submission_to_publication": _waits(to_publication),
                   "submission_to_first_assignment": _waits(to_assignment)},
        "completion": {"completed": completed, "cancelled_after_assignment": failed,
                       "expired": expired,
                       "rate": round(completed / decided, 4) if decided else None},
    }


SUMMED = ("evaluations", "evaluation_score_sum", "evaluations_low", "disputes_opened",
          "disputes_resolved", "assignments", "no_shows", "withdrawals",
          "services_unrecorded", "services_unrecorded_township")
"""The facts (``domain/facts.py``) behind the other sections, summed over the span."""


def fact_sections(sums: Mapping[str, int], outcomes: Mapping[str, int]) -> dict[str, Any]:
    """demand's ``satisfaction``, ``disputes``, ``reliability`` and ``recording`` sections
    from the facts of the span (events counted on the China day they occurred).

    ``no_show_rate``: no-shows over the assignments that were not given back (demand counts
    over the assignments that reached their start, which events do not tell apart from those
    still ahead)."""
    def n(measure: str) -> int:
        return int(sums.get(measure, 0))

    evaluations, kept = n("evaluations"), n("assignments") - n("withdrawals")
    return {
        "satisfaction": {"evaluations": evaluations,
                         "average_score": round(n("evaluation_score_sum") / evaluations, 2)
                         if evaluations else None,
                         "low_scores": n("evaluations_low")},
        "disputes": {"disputes_opened": n("disputes_opened"),
                     "disputes_resolved": n("disputes_resolved"),
                     "by_outcome": {o: v for o, v in sorted(outcomes.items()) if v}},
        "reliability": {"no_shows": n("no_shows"), "withdrawals": n("withdrawals"),
                        "no_show_rate": round(n("no_shows") / kept, 4) if kept > 0 else None},
        "recording": {"overdue_to_station": n("services_unrecorded"),
                      "overdue_to_township": n("services_unrecorded_township")},
    }


def matching_figures(published: Mapping[str, Any], sums: Mapping[str, int]) -> dict[str, Any]:
    """matching's ``StatsOut`` sections: the match rate (assigned / published, 4 places),
    the first candidates' waits in seconds (1 place), dispatch runs and proposals by status
    (``sums``: the facts ``dispatch_runs`` and ``proposals_<status>``)."""
    count, assigned = int(published["published"]), int(published["assigned"])
    return {
        "published": count, "assigned": assigned,
        "match_rate": round(assigned / count, 4) if count else None,
        "with_candidate": int(published["with_candidate"]),
        "time_to_first_candidate_seconds": {"median": _rounded(published["median"]),
                                            "mean": _rounded(published["mean"])},
        "dispatch": {"runs": int(sums.get("dispatch_runs", 0)),
                     "proposals": {status: int(sums.get(f"proposals_{status}", 0))
                                   for status in ("applied", "held", "rejected", "failed")}},
    }
