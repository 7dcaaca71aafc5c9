"""Adjustment rules, the escalation due rule, catalogue edits and the statistics (pure)."""
import datetime as dt

import pytest

from demand.contracts import NOT_OFFERED_NOTE
from demand.domain import adjustment, catalogue
from demand.domain.elders import require_elder
from demand.domain.escalation import escalation_due, township_of
from demand.domain.lifecycle import Demand
from demand.domain.statistics import SECTIONS, DemandRow, demand_figures, elders_served
from timebank_common.errors import BadInput, Conflict, RuleViolation

T0 = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)


def a_demand(**changes) -> Demand:
    values = dict(id="d-1", elder_id="e-1", category="emotional_comfort",
                  region_code="130102001001", window_start=T0, window_end=T0 + dt.timedelta(hours=2),
                  expected_minutes=60, volunteers_needed=1, channel="phone",
                  description="陪聊", address="建设北大街12号")
    values.update(changes)
    return Demand(**values)


def test_each_changed_field_is_one_history_entry_with_json_values():
    demand = a_demand()
    later = T0 + dt.timedelta(days=1)
    changes = adjustment.changes_between(demand, {
        "window_start": later, "window_end": later + dt.timedelta(hours=2),
        "expected_minutes": 60, "description": "陪聊，并读报"})
    assert changes == [
        {"field": "description", "before": "陪聊", "after": "陪聊，并读报"},
        {"field": "window_start", "before": T0.isoformat(), "after": later.isoformat()},
        {"field": "window_end", "before": (T0 + dt.timedelta(hours=2)).isoformat(),
         "after": (later + dt.timedelta(hours=2)).isoformat()},
    ]  # expected_minutes did not change: no entry
    adjustment.apply(demand, {"description": "陪聊，并读报"})
    assert demand.description == "陪聊，并读报"


def test_adjustment_needs_a_reason_a_change_and_a_demand_not_yet_reviewed():
    with pytest.raises(BadInput) as e:
        adjustment.require_reason("   ")
    assert e.value.code == "reason_required"
    with pytest.raises(BadInput) as e:
        adjustment.require_some_change(adjustment.changes_between(a_demand(), {"description": "陪聊"}))
    assert e.value.code == "nothing_changed"
    adjustment.require_adjustable(a_demand())
    with pytest.raises(Conflict) as e:
        adjustment.require_adjustable(a_demand(status="published"))
    assert e.value.code == "invalid_transition" and e.value.details["action"] == "adjust"


def test_escalation_is_due_after_the_configured_time_while_unreviewed():
    assert not escalation_due("submitted", T0, T0 + dt.timedelta(hours=23, minutes=59), 86400)
    assert escalation_due("submitted", T0, T0 + dt.timedelta(hours=24), 86400)
    assert not escalation_due("published", T0, T0 + dt.timedelta(days=3), 86400)
    assert escalation_due("submitted", T0, T0 + dt.timedelta(seconds=2), 2)


def test_escalation_goes_to_the_township_of_the_demand():
    assert township_of("130102001001") == "130102001000"
    assert township_of("130102001000") == "130102001000"
    assert township_of("130102000000") == "130102000000"  # a county-level code stands for itself


def test_catalogue_edits_must_stay_consistent_and_never_offer_housekeeping():
    row = {"code": "tai_chi", "name_zh": "太极拳教学", "name_en": "Tai chi", "professional": False,
           "qualifications": [], "default_minutes": 60, "group_allowed": True, "active": True,
           "sort_order": 20}
    catalogue.require_valid(catalogue.as_category(row))
    with pytest.raises(BadInput) as e:
        catalogue.require_valid(catalogue.as_category(catalogue.edited(row, {"professional": True})))
    assert e.value.code == "category_inconsistent"
    with pytest.raises(BadInput) as e:
        catalogue.require_valid(catalogue.as_category({**row, "code": "housekeeping"}))
    assert e.value.code == "category_not_offered"
    assert catalogue.edited(row, {"code": "other", "active": False}) == {**row, "active": False}
    assert "家政" in NOT_OFFERED_NOTE["zh"] and "housekeeping" in NOT_OFFERED_NOTE["en"]


def row(status, category="emotional_comfort", published_after=None, assigned_after=None,
        ever_assigned=None, cancel_reason=None):
    return DemandRow(status, category, "phone", T0,
                     T0 + published_after if published_after is not None else None,
                     T0 + assigned_after if assigned_after is not None else None,
                     assigned_after is not None if ever_assigned is None else ever_assigned,
                     cancel_reason)


def test_statistics_sections():
    hour = dt.timedelta(hours=1)
    rows = [
        row("submitted"),
        row("rejected"),
        row("published", published_after=hour),
        row("recorded", "outing_companion", published_after=3 * hour, assigned_after=4 * hour),
        row("evaluated", published_after=2 * hour, assigned_after=10 * hour),  # completed too
        row("cancelled", published_after=2 * hour, assigned_after=5 * hour),
        row("cancelled", published_after=2 * hour),  # cancelled before anyone took it
    ]
    figures = demand_figures(rows, extra={"no_shows": {"rate": 0.1}})
    assert set(figures) == set(SECTIONS) | {"no_shows"}
    assert figures["demands"]["total"] == 7
    assert figures["demands"]["by_status"] == {"submitted": 1, "published": 1, "rejected": 1,
                                               "recorded": 1, "evaluated": 1, "cancelled": 2}
    assert figures["demands"]["by_category"] == {"emotional_comfort": 6, "outing_companion": 1}
    assert figures["timing"]["submission_to_publication"] == {
        "count": 5, "median_minutes": 120.0, "mean_minutes": 120.0}
    assert figures["timing"]["submission_to_first_assignment"] == {
        "count": 3, "median_minutes": 300.0, "mean_minutes": 380.0}
    assert figures["completion"] == {"completed": 2, "cancelled_after_assignment": 1,
                                     "expired": 0, "rate": 0.6667}
    empty = demand_figures([])
    assert empty["completion"]["rate"] is None
    assert empty["timing"]["submission_to_publication"]["median_minutes"] is None


def test_expired_demands_are_counted_apart_from_other_cancellations():
    """An elder nobody served in time shows in ``completion.expired``; one someone had taken
    (and given back) is also a cancellation after assignment, one never taken is not."""
    hour = dt.timedelta(hours=1)
    rows = [
        row("cancelled", published_after=hour, cancel_reason="expired"),  # nobody claimed
        row("cancelled", cancel_reason="expired"),  # never reviewed
        row("cancelled", published_after=hour, assigned_after=2 * hour,
            cancel_reason="expired"),  # taken, withdrawn, nobody else
        row("cancelled", published_after=hour, assigned_after=2 * hour, cancel_reason="no_show"),
        row("cancelled", published_after=hour, cancel_reason="老人住院"),
        row("recorded", published_after=hour, assigned_after=2 * hour),
    ]
    assert demand_figures(rows)["completion"] == {
        "completed": 1, "cancelled_after_assignment": 2, "expired": 3, "rate": 0.3333}
    assert demand_figures(rows)["demands"]["by_status"] == {"recorded": 1, "cancelled": 5}


def test_demands_are_for_elders_of_sixty_and_over():
    require_elder({"age": 60})
    require_elder({})  # identity did not say: its elder profile is the proof
    with pytest.raises(RuleViolation) as e:
        require_elder({"age": 59})
    assert e.value.code == "not_an_elder" and e.value.details["min_age"] == 60


def test_elders_served_are_distinct_overall_and_per_category():
    served = [("e1", "meal_help"), ("e1", "emotional_comfort"), ("e2", "meal_help"),
              ("e1", "meal_help")]
    assert elders_served(served) == {"elders": 2, "by_category": {
        "emotional_comfort": 1, "meal_help": 2}}
    assert elders_served([]) == {"elders": 0, "by_category": {}}
