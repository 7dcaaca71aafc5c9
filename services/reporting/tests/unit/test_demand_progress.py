"""Each demand's progress from demand's events (pure): what each event says, merging in any
order, and the figures by demand's own rules."""
from __future__ import annotations

import datetime as dt
import itertools

from demand.contracts.enums import STATUSES
from reporting.domain.demand_progress import (
    RANKS,
    Group,
    Progress,
    Waits,
    by_demand,
    figures,
    progress_of,
)

AT = dt.datetime(2026, 10, 4, 17, tzinfo=dt.UTC)  # 2026-10-05 in China


def env(kind, occurred=AT, **payload):
    return {"event_type": kind, "occurred_at": occurred.isoformat(), "region_code": None,
            "payload": {"demand_id": "d1", **payload}}


def test_every_status_of_demand_has_a_rank():
    assert set(RANKS) == set(STATUSES)


def test_what_each_event_says():
    submitted = progress_of(env("demand_submitted", region_code="130102001001",
                                category="cleaning", channel="phone"))
    assert submitted == Progress("d1", RANKS["submitted"], "130102001001", "cleaning", "phone",
                                 submitted_at=AT)
    assert submitted.submitted_day == dt.date(2026, 10, 5)  # the China day
    published = progress_of(env("demand_published", AT + dt.timedelta(hours=1),
                                submitted_at=AT.isoformat()))
    assert published is not None
    assert (published.submitted_at, published.published_at) == (AT, AT + dt.timedelta(hours=1))
    assigned = progress_of(env("demand_assigned"))
    assert assigned is not None and assigned.ever_assigned and assigned.first_assigned_at == AT
    evaluated = progress_of(env("evaluation_submitted", demand_status="evaluated"))
    assert evaluated is not None and evaluated.rank == RANKS["evaluated"]
    cancelled = progress_of(env("demand_cancelled", reason="expired"))
    assert cancelled is not None and cancelled.cancel_reason == "expired"
    assert progress_of(env("hours_given")) is None
    assert progress_of({"event_type": "demand_assigned", "occurred_at": AT.isoformat(),
                        "payload": {}}) is None


def test_the_merge_does_not_depend_on_the_order():
    events = [env("demand_submitted", region_code="130102001001", category="c", channel="app"),
              env("demand_published", AT + dt.timedelta(minutes=30)),
              env("demand_assigned", AT + dt.timedelta(minutes=50)),
              env("demand_assigned", AT + dt.timedelta(minutes=40)),
              env("demand_cancelled", AT + dt.timedelta(days=1), reason="no_show")]
    progresses = [p for p in map(progress_of, events) if p]
    merged = {tuple(by_demand(order)) for order in itertools.permutations(progresses)}
    assert len(merged) == 1
    (one,) = merged.pop()
    assert (one.rank, one.first_assigned_at, one.ever_assigned, one.cancel_reason,
            one.region_code) == (RANKS["cancelled"], AT + dt.timedelta(minutes=40), True,
                                 "no_show", "130102001001")


def test_figures_by_demands_rules():
    groups = [Group(RANKS["evaluated"], "c", "app", True, None, 2),
              Group(RANKS["cancelled"], "c", "phone", True, "no_show", 1),
              Group(RANKS["cancelled"], "d", "app", False, "expired", 1),
              Group(RANKS["published"], "d", "app", False, None, 3)]
    out = figures(groups, Waits(4, 12.25, 20.04), Waits(0, None, None))
    assert out["demands"] == {"total": 7, "by_status": {"published": 3, "evaluated": 2,
                                                        "cancelled": 2},
                              "by_category": {"c": 3, "d": 4},
                              "by_channel": {"app": 6, "phone": 1}}
    assert list(out["demands"]["by_status"]) == ["published", "evaluated", "cancelled"]
    assert out["timing"] == {
        "submission_to_publication": {"count": 4, "median_minutes": 12.2,
                                      "mean_minutes": 20.0},
        "submission_to_first_assignment": {"count": 0, "median_minutes": None,
                                           "mean_minutes": None}}
    assert out["completion"] == {"completed": 2, "cancelled_after_assignment": 1,
                                 "expired": 1, "rate": 0.6667}


def test_the_payer_is_known_only_from_events_that_say_it():
    chosen = progress_of(env("demand_submitted", funding_source="grant",
                             funding_chosen_by=None))
    assert chosen is not None
    assert (chosen.funding_source, chosen.funding_chosen_by) == ("grant", "default")
    older = progress_of(env("demand_submitted"))  # before the event carried the payer
    assert older is not None and (older.funding_source, older.funding_chosen_by) == (None, None)
    reviewed = progress_of(env("demand_published", fallback_reason="兜底",
                               funding_shortfall_minutes=30))
    assert reviewed is not None and (reviewed.fallback, reviewed.shortfall_minutes) == (True, 30)


def test_the_other_sections_from_the_facts():
    from reporting.domain.demand_progress import fact_sections

    sums = {"evaluations": 3, "evaluation_score_sum": 11, "evaluations_low": 1,
            "disputes_opened": 2, "disputes_resolved": 1, "assignments": 5, "no_shows": 1,
            "withdrawals": 1, "services_unrecorded": 2, "services_unrecorded_township": 1}
    out = fact_sections(sums, {"voided": 1, "upheld": 0})
    assert out == {
        "satisfaction": {"evaluations": 3, "average_score": 3.67, "low_scores": 1},
        "disputes": {"disputes_opened": 2, "disputes_resolved": 1,
                     "by_outcome": {"voided": 1}},
        "reliability": {"no_shows": 1, "withdrawals": 1, "no_show_rate": 0.25},
        "recording": {"overdue_to_station": 2, "overdue_to_township": 1}}
    empty = fact_sections({}, {})
    assert empty["satisfaction"]["average_score"] is None
    assert empty["reliability"]["no_show_rate"] is None



def test_matchings_first_candidate_and_figures():
    from reporting.domain.demand_progress import matching_figures

    found = progress_of(env("first_candidate_found", found_at=AT.isoformat()))
    assert found is not None and found.first_candidate_at == AT and found.rank == 0
    out = matching_figures({"published": 3, "assigned": 2, "with_candidate": 2,
                            "median": 90.04, "mean": None},
                           {"dispatch_runs": 2, "proposals_held": 1, "proposals_failed": 1})
    assert out == {"published": 3, "assigned": 2, "match_rate": 0.6667, "with_candidate": 2,
                   "time_to_first_candidate_seconds": {"median": 90.0, "mean": None},
                   "dispatch": {"runs": 2, "proposals": {"applied": 0, "held": 1,
                                                         "rejected": 0, "failed": 1}}}
    assert matching_figures({"published": 0, "assigned": 0, "with_candidate": 0,
                             "median": None, "mean": None}, {})["match_rate"] is None
