"""Windows, minutes, slots, duplicates, overlaps, evidence flags, eligibility."""
import datetime as dt

import pytest

from demand.domain import rules
from demand.domain.catalogue import Category
from demand.domain.eligibility import require_eligible
from timebank_common.errors import BadInput, Conflict, RuleViolation

NOW = dt.datetime(2030, 5, 1, 1, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
CARE = Category("home_care", "居家照护", "Home care", True, ("elderly_care_worker", "nurse"),
                120, False)
CHAT = Category("emotional_comfort", "情感慰藉", "Emotional comfort", False, (), 60, False)


def codes(exc_info):
    return exc_info.value.code


@pytest.mark.parametrize("start,end,minutes,needed,code", [
    (NOW + H, NOW + H, 60, 1, "window_invalid"),
    (NOW + 2 * H, NOW + H, 60, 1, "window_invalid"),
    (NOW - H, NOW + H, 60, 1, "window_in_past"),
    (NOW + H, NOW + 2 * H, 14, 1, "expected_minutes_out_of_range"),
    (NOW + H, NOW + 10 * H, 481, 1, "expected_minutes_out_of_range"),
    (NOW + H, NOW + 2 * H, 60, 0, "volunteers_needed_out_of_range"),
    (NOW + H, NOW + 2 * H, 60, 51, "volunteers_needed_out_of_range"),
    (NOW + H, NOW + 2 * H, 90, 1, "window_too_short"),
    (NOW + 90 * 24 * H + H, NOW + 90 * 24 * H + 2 * H, 60, 1, "window_too_far_ahead"),
    (NOW + H, NOW + 25 * H + dt.timedelta(seconds=1), 60, 1, "window_too_long"),
    (NOW + H, dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.UTC), 60, 1, "window_too_long"),
    (dt.datetime(9999, 12, 31, 1, 0, tzinfo=dt.UTC), dt.datetime(9999, 12, 31, 2, 0, tzinfo=dt.UTC),
     60, 1, "window_too_far_ahead"),
])
def test_bad_new_demands_are_refused(start, end, minutes, needed, code):
    with pytest.raises(BadInput) as e:
        rules.validate_new_demand(start, end, minutes, needed, NOW)
    assert codes(e) == code and e.value.zh and e.value.en


def test_edges_of_ranges_are_accepted():
    rules.validate_new_demand(NOW + H, NOW + 9 * H, 480, 50, NOW)
    rules.validate_new_demand(NOW + H, NOW + 2 * H, 15, 1, NOW)
    rules.validate_new_demand(NOW + 90 * 24 * H, NOW + 90 * 24 * H + 24 * H, 60, 1, NOW)


@pytest.mark.parametrize("minutes,ok", [(0, False), (1, True), (720, True), (721, False)])
def test_recorded_minutes_range(minutes, ok):
    if ok:
        rules.validate_recorded_minutes(minutes)
    else:
        with pytest.raises(BadInput):
            rules.validate_recorded_minutes(minutes)


def test_a_confirmation_cannot_be_in_the_future():
    rules.validate_confirmed_at(None, NOW)
    rules.validate_confirmed_at(NOW - 24 * H, NOW)
    rules.validate_confirmed_at(NOW + rules.CLOCK_TOLERANCE, NOW)
    with pytest.raises(BadInput) as e:
        rules.validate_confirmed_at(NOW + 24 * H, NOW)
    assert codes(e) == "confirmed_in_future"


def test_overlap_is_half_open():
    assert rules.overlaps(NOW, NOW + H, NOW + H / 2, NOW + 2 * H)
    assert not rules.overlaps(NOW, NOW + H, NOW + H, NOW + 2 * H)


def test_duplicate_demand_names_the_existing_one():
    existing = [("old-id", NOW + H, NOW + 3 * H)]
    with pytest.raises(Conflict) as e:
        rules.refuse_duplicate(NOW + 2 * H, NOW + 4 * H, existing)
    assert codes(e) == "duplicate_demand" and e.value.details == {"demand_id": "old-id"}
    rules.refuse_duplicate(NOW + 3 * H, NOW + 4 * H, existing)  # back to back is fine


def test_overlapping_assignment_is_a_rule_violation():
    with pytest.raises(RuleViolation) as e:
        rules.refuse_overlap(NOW, NOW + 2 * H, [("other", NOW + H, NOW + 3 * H)])
    assert codes(e) == "overlapping_assignment"


def test_ineligible_volunteer_is_refused_with_reasons():
    reasons = [{"code": "training_incomplete", "zh": "培训未完成", "en": "training incomplete"}]
    with pytest.raises(RuleViolation) as e:
        require_eligible({"person_id": "v", "eligible": False, "reasons": reasons}, CHAT, "elder")
    assert codes(e) == "volunteer_not_eligible" and e.value.details["reasons"] == reasons


def test_professional_service_needs_a_matching_qualification():
    check = {"person_id": "v", "eligible": True, "reasons": []}
    with pytest.raises(RuleViolation) as e:
        require_eligible(check, CARE, "elder")
    assert codes(e) == "qualification_required"
    require_eligible({**check, "qualifications": ["nurse"]}, CARE, "elder")
    require_eligible(check, CHAT, "elder")


def test_volunteer_cannot_serve_themself():
    with pytest.raises(RuleViolation) as e:
        require_eligible({"person_id": "p", "eligible": True}, CHAT, "p")
    assert codes(e) == "self_service"
