"""A person's standing: which changes are allowed, and what follows from each."""
import pytest

from identity.domain.eligibility import VolunteerFacts, volunteer_reasons
from identity.domain.standing import (
    StandingRefused,
    acts_through_others,
    check_change,
    may_log_in,
)

OPERATOR = ("station_operator",)
COUNTY = ("county_admin",)


@pytest.mark.parametrize("new", ["left", "withdrew", "deceased"])
def test_leaving_needs_a_reason_and_coming_back_does_not(new):
    assert check_change("active", new, "  本人申请 ", OPERATOR) == "本人申请"
    with pytest.raises(StandingRefused) as info:
        check_change("active", new, "  ", OPERATOR)
    assert info.value.reason == "reason_required"
    assert check_change(new if new != "deceased" else "left", "active", None, OPERATOR) is None


def test_the_same_standing_and_unknown_ones_are_refused():
    with pytest.raises(StandingRefused) as info:
        check_change("left", "left", "x", OPERATOR)
    assert info.value.reason == "same_status"
    with pytest.raises(StandingRefused) as info:
        check_change("active", "sleeping", "x", OPERATOR)
    assert info.value.reason == "unknown_status"


def test_a_death_is_corrected_only_by_a_county_or_above_with_a_reason():
    with pytest.raises(StandingRefused) as info:
        check_change("deceased", "active", "登记错误", OPERATOR + ("township_admin",))
    assert info.value.reason == "deceased_final"
    with pytest.raises(StandingRefused) as info:
        check_change("deceased", "active", None, COUNTY)
    assert info.value.reason == "reason_required"
    assert check_change("deceased", "active", "登记错误", COUNTY) == "登记错误"


def test_only_active_people_log_in_and_nobody_acts_for_the_dead():
    assert may_log_in("active") and may_log_in(None)
    assert not any(may_log_in(s) for s in ("left", "withdrew", "deceased"))
    assert acts_through_others("left") and not acts_through_others("deceased")


def test_a_volunteer_who_is_not_active_is_not_eligible_first_of_all():
    facts = dict(age=30, volunteer_number="V1", registry_status="verified", screening="clear",
                 health_declared=True)
    assert volunteer_reasons(VolunteerFacts(**facts)) == []
    reasons = volunteer_reasons(VolunteerFacts(**facts, standing="withdrew"))
    assert [r["code"] for r in reasons] == ["not_active"]

