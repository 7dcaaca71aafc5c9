"""demand's figures of supervision from the read model on real PostgreSQL: a scenario of
demands through every end (evaluated, recorded, cancelled after a no-show, expired,
rejected, still waiting), with their payers, evaluations, a dispute, a withdrawal and a late
recording, its events fed in any order, gives the counts, exact medians and completion
that demand's rules (``demand.domain.statistics``, restated in ``expected``: tests import
another service only as its contracts or service) give for the same demands and the
other sections counted by hand; only the region and span asked count; a rebuild gives the
same."""
from __future__ import annotations

import datetime as dt
import random
import statistics
from collections import Counter

import pytest

from reporting.app.rebuilding import rebuild
from timebank_common.errors import Forbidden

from .conftest import COMMUNITY, OTHER_CITY, PROVINCE_ADMIN, TOWNSHIP_ADMIN, envelope, feed

UTC = dt.UTC
OCTOBER = dt.datetime(2026, 10, 5, 1, tzinfo=UTC)
NOVEMBER = dt.datetime(2026, 11, 20, 1, tzinfo=UTC)
MINUTE = dt.timedelta(minutes=1)


class Demand:
    """One demand's events, and the row demand's own statistics would read for it."""

    def __init__(self, demand_id, at, category="companionship", channel="app",
                 region=COMMUNITY, funding=("issuance", None)):
        self.id, self.at, self.region = demand_id, at, region
        self.category, self.channel = category, channel
        self.status, self.published_at, self.assigned_at = "submitted", None, None
        self.cancel_reason = None
        window = (at + dt.timedelta(days=1)).isoformat()
        self.window = {"window_start": window, "window_end": window}
        self.events = [self._event("demand_submitted", at, {
            "elder_id": "e-" + demand_id, "category": category, "region_code": region,
            "channel": channel, **self.window, "expected_minutes": 60,
            "volunteers_needed": 1, "funding_source": funding[0],
            "funding_chosen_by": funding[1]})]

    def _event(self, kind, at, payload):
        return envelope(kind, {"demand_id": self.id, **payload}, at, self.region)

    def published(self, minutes, shortfall=None):
        self.published_at, self.status = self.at + minutes * MINUTE, "published"
        self.events.append(self._event("demand_published", self.published_at, {
            "elder_id": "e-" + self.id, "category": self.category,
            "region_code": self.region, **self.window, "expected_minutes": 60,
            "volunteers_needed": 1, "submitted_at": self.at.isoformat(),
            "published_at": self.published_at.isoformat(),
            "fallback_reason": "余额不足，由发行账户兜底" if shortfall else None,
            "funding_shortfall_minutes": shortfall or 0}))
        return self

    def assigned(self, minutes):
        self.assigned_at, self.status = self.at + minutes * MINUTE, "assigned"
        self.events.append(self._event("demand_assigned", self.assigned_at, {
            "volunteer_id": "v1", **self.window, "open_slots": 0}))
        return self

    def withdrawn(self):
        """A first volunteer took it 2 minutes after submission and gave it back."""
        taken = self.at + 2 * MINUTE
        self.assigned_at = min(self.assigned_at or taken, taken)
        self.events.append(self._event("demand_assigned", taken, {
            "volunteer_id": "v0", **self.window, "open_slots": 0}))
        self.events.append(self._event("assignment_withdrawn", self.at + 3 * MINUTE, {
            "volunteer_id": "v0", "reason": "临时有事", "open_slots": 1,
            "region_code": self.region}))
        return self

    def no_show(self):
        self.events.append(self._event("assignment_no_show", self.at + dt.timedelta(days=1), {
            "volunteer_id": "v1", "window_start": self.window["window_start"],
            "region_code": self.region, "demand_cancelled": True}))
        return self

    def late(self):
        later = self.at + dt.timedelta(days=1)
        self.events += [self._event("recording_overdue", later, {
            "volunteer_id": "v1", "elder_id": "e-" + self.id, "region_code": self.region,
            "checked_out_at": later.isoformat(), "due_at": later.isoformat(),
            "level": level}) for level in ("station", "township")]
        return self

    def served(self, evaluated=False, score=5):
        later = self.at + dt.timedelta(days=1)
        self.events += [
            self._event("demand_started", later, {"volunteer_id": "v1",
                                                  "region_code": self.region,
                                                  "submitted_at": self.at.isoformat()}),
            self._event("service_recorded", later, {
                "record_id": "r-" + self.id, "volunteer_id": "v1", "minutes": 60,
                "elder_id": "e-" + self.id, "category": self.category,
                "recorded_at": later.isoformat()})]
        self.status = "recorded"
        if evaluated:
            self.events.append(self._event("evaluation_submitted", later, {
                "volunteer_id": "v1", "elder_id": "e-" + self.id, "score": score,
                "demand_status": "evaluated"}))
            self.status = "evaluated"
        return self

    def cancelled(self, reason):
        self.status, self.cancel_reason = "cancelled", reason
        self.events.append(self._event("demand_cancelled", self.at + dt.timedelta(days=2),
                                       {"region_code": self.region, "reason": reason}))
        return self

    def rejected(self):
        self.status = "rejected"
        self.events.append(self._event("demand_rejected", self.at + 5 * MINUTE, {
            "region_code": self.region, "reason": "不在服务范围"}))
        return self



def dispute(demand, outcome):
    at = demand.at + dt.timedelta(days=2)
    common = {"dispute_id": "x-" + demand.id, "record_id": "r-" + demand.id,
              "demand_id": demand.id, "region_code": demand.region}
    demand.events += [
        envelope("dispute_opened", {**common, "reason": "时长不符"}, at, demand.region),
        envelope("dispute_resolved", {**common, "outcome": outcome, "minutes": 30,
                                      "approver": "adm", "reason": "核实"}, at,
                 demand.region)]
    return demand


def scenario():
    return [
        Demand("d1", OCTOBER, funding=("own_hours", "elder")).published(30).assigned(90)
        .served(evaluated=True),
        Demand("d2", OCTOBER, "cleaning", "phone").published(10).assigned(20).no_show()
        .cancelled("no_show"),
        Demand("d3", OCTOBER + dt.timedelta(days=1)).published(60).cancelled("expired"),
        Demand("d4", OCTOBER, "cleaning", "phone").rejected(),
        Demand("d5", OCTOBER, funding=("grant", "operator")),
        dispute(Demand("d6", OCTOBER + dt.timedelta(days=3), funding=("own_hours", "proxy"))
                .published(20, shortfall=40).assigned(45).withdrawn().late()
                .served(evaluated=True, score=2), "minutes_adjusted"),
        Demand("d7", OCTOBER, region=OTHER_CITY).published(5).assigned(6).served(),
        Demand("d8", NOVEMBER).published(15),
    ]


def figures(reporting, caller, region, first="2026-10-01", last="2026-10-31"):
    return reporting.demand_figures(caller, {"region_code": region, "from": first,
                                             "to": last})


def _minutes(deltas):
    values = [d.total_seconds() / 60 for d in deltas]
    if not values:
        return {"count": 0, "median_minutes": None, "mean_minutes": None}
    return {"count": len(values), "median_minutes": round(statistics.median(values), 1),
            "mean_minutes": round(statistics.fmean(values), 1)}


def expected(demands):
    """demand's rules (``demand.domain.statistics``: counts, timings, completion) for the
    demands as the scenario made them."""
    statuses = Counter(d.status for d in demands)
    order = ("submitted", "published", "rejected", "assigned", "in_service",
             "awaiting_record", "recorded", "evaluated", "cancelled")
    completed = sum(1 for d in demands if d.status in ("recorded", "evaluated"))
    failed = sum(1 for d in demands if d.status == "cancelled" and d.assigned_at)
    return {
        "demands": {"total": len(demands),
                    "by_status": {s: statuses[s] for s in order if statuses[s]},
                    "by_category": dict(sorted(Counter(d.category for d in demands).items())),
                    "by_channel": dict(sorted(Counter(d.channel for d in demands).items()))},
        "timing": {"submission_to_publication": _minutes(
            [d.published_at - d.at for d in demands if d.published_at]),
                   "submission_to_first_assignment": _minutes(
            [d.assigned_at - d.at for d in demands if d.assigned_at])},
        "completion": {"completed": completed, "cancelled_after_assignment": failed,
                       "expired": sum(1 for d in demands if d.cancel_reason == "expired"),
                       "rate": round(completed / (completed + failed), 4)
                       if completed + failed else None}}


def test_the_figures_are_demands_own_for_the_same_demands(reporting, uow_factory, clock):
    demands = scenario()
    events = [event for demand in demands for event in demand.events]
    random.Random(16).shuffle(events)  # any order of arrival
    feed(reporting, events)

    october = [d for d in demands if d.region == COMMUNITY and d.at < NOVEMBER]
    answer = figures(reporting, TOWNSHIP_ADMIN, "130102001000")
    assert {k: answer[k] for k in ("demands", "timing", "completion")} == expected(october)
    assert answer["demands"]["by_status"] == {
        "submitted": 1, "rejected": 1, "evaluated": 2, "cancelled": 2}
    assert answer["timing"]["submission_to_publication"] == {
        "count": 4, "median_minutes": 25.0, "mean_minutes": 30.0}  # 10, 20, 30, 60
    assert answer["timing"]["submission_to_first_assignment"] == {
        "count": 3, "median_minutes": 20.0, "mean_minutes": 37.3}  # 2, 20, 90
    assert answer["completion"] == {"completed": 2, "cancelled_after_assignment": 1,
                                    "expired": 1, "rate": 0.6667}
    assert (answer["region_code"], answer["period"]) == (
        "130102001000", {"from": "2026-10-01", "to": "2026-10-31"})
    assert answer["satisfaction"] == {"evaluations": 2, "average_score": 3.5, "low_scores": 1}
    assert answer["disputes"] == {"disputes_opened": 1, "disputes_resolved": 1,
                                  "by_outcome": {"minutes_adjusted": 1}}
    assert answer["reliability"] == {"no_shows": 1, "withdrawals": 1,
                                     "no_show_rate": 0.3333}  # 1 of 4 assigned − 1 withdrawn
    assert answer["funding"] == {
        "by_source": {"issuance": 3, "own_hours": 2, "grant": 1},
        "chosen_by": {"default": 3, "elder": 1, "operator": 1, "proxy": 1},
        "fallbacks": 1, "fallback_shortfall_minutes": 40}
    assert answer["recording"] == {"overdue_to_station": 1, "overdue_to_township": 1}
    assert answer["served"] == {"elders": 2, "by_category": {"companionship": 2}}

    province = figures(reporting, PROVINCE_ADMIN, "130000000000", last="2026-11-30")
    assert {k: province[k] for k in ("demands", "timing", "completion")} == expected(demands)
    assert province["served"] == {"elders": 3, "by_category": {"companionship": 3}}
    assert province["funding"]["by_source"] == {"issuance": 5, "own_hours": 2, "grant": 1}

    before = figures(reporting, PROVINCE_ADMIN, "130000000000", last="2026-11-30")
    rebuild(uow_factory("reporting"), clock.now(), batch=3)
    assert figures(reporting, PROVINCE_ADMIN, "130000000000", last="2026-11-30") == before


def test_nothing_submitted_answers_zeros_and_nulls(reporting):
    answer = figures(reporting, PROVINCE_ADMIN, "130000000000")
    assert answer["demands"] == {"total": 0, "by_status": {}, "by_category": {},
                                 "by_channel": {}}
    assert answer["timing"]["submission_to_publication"] == {
        "count": 0, "median_minutes": None, "mean_minutes": None}
    assert answer["completion"]["rate"] is None


def test_the_figures_are_for_supervisors_of_the_region_only(reporting):
    with pytest.raises(Forbidden):
        figures(reporting, TOWNSHIP_ADMIN, "130000000000")
    with pytest.raises(Forbidden):
        figures(reporting, {"person_id": "v", "roles": ["volunteer"], "scope": None},
                COMMUNITY)


def test_a_record_a_dispute_voided_serves_nobody(reporting):
    demand = Demand("d9", OCTOBER).published(5).assigned(10).served()
    kept = Demand("d10", OCTOBER).published(5).assigned(10).served()
    voided = envelope("credit_corrected", {
        "transfer_id": "t-void", "record_id": "r-d9", "person_id": "v1", "minutes": -60,
        "credited_minutes": 0, "outcome": "voided"}, OCTOBER + dt.timedelta(days=3))
    feed(reporting, demand.events + kept.events)
    assert figures(reporting, TOWNSHIP_ADMIN, "130102001000")["served"]["elders"] == 2
    feed(reporting, [voided])
    assert figures(reporting, TOWNSHIP_ADMIN, "130102001000")["served"] == {
        "elders": 1, "by_category": {"companionship": 1}}


def matching_event(kind, payload, at, region=COMMUNITY):
    return envelope(kind, {"region_code": region, **payload}, at, region)


def test_matchings_figures_from_its_events_and_demands(reporting, uow_factory, clock):
    """Published in October in the township: d1 (candidate after 10 min, assigned), d2
    (candidate after 30 min, assigned), d3 (candidate after 20 min), d6 (none); a run of
    three proposals, one applied, one rejected — decided in November, counted on the run's
    day."""
    demands = scenario()
    by_id = {d.id: d for d in demands}
    events = [event for demand in demands for event in demand.events]
    for demand_id, minutes in (("d1", 10), ("d2", 30), ("d3", 20)):
        found = by_id[demand_id].published_at + minutes * MINUTE
        events.append(matching_event("first_candidate_found", {
            "demand_id": demand_id, "published_at": by_id[demand_id].published_at.isoformat(),
            "found_at": found.isoformat(), "seconds_since_publication": minutes * 60.0},
            found))
    run_at = OCTOBER + dt.timedelta(days=2)
    events.append(matching_event("dispatch_run", {"run_id": "run-1",
                                                  "started_at": run_at.isoformat(),
                                                  "proposed": 3}, run_at))
    events += [matching_event("proposal_decided", {
        "proposal_id": f"p-{status}", "run_id": "run-1", "demand_id": "d6", "status": status,
        "created_at": run_at.isoformat()}, NOVEMBER) for status in ("applied", "rejected")]
    random.Random(7).shuffle(events)
    feed(reporting, events)

    def matching(caller, region, last="2026-10-31"):
        return reporting.matching_figures(caller, {"region_code": region,
                                                   "from": "2026-10-01", "to": last})

    township = matching(TOWNSHIP_ADMIN, "130102001000")
    assert township == {
        "region_code": "130102001000", "published": 4, "assigned": 3, "match_rate": 0.75,
        "with_candidate": 3,
        "time_to_first_candidate_seconds": {"median": 1200.0, "mean": 1200.0},
        "dispatch": {"runs": 1, "proposals": {"applied": 1, "held": 1, "rejected": 1,
                                              "failed": 0}}}
    province = matching(PROVINCE_ADMIN, "130000000000", last="2026-11-30")
    assert (province["published"], province["assigned"]) == (6, 4)  # d7 elsewhere, d8 in Nov
    before = matching(PROVINCE_ADMIN, "130000000000", last="2026-11-30")
    rebuild(uow_factory("reporting"), clock.now(), batch=5)
    assert matching(PROVINCE_ADMIN, "130000000000", last="2026-11-30") == before
    with pytest.raises(Forbidden):
        matching(TOWNSHIP_ADMIN, "130000000000")
