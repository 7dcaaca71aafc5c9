"""Pure rules of interest in volunteering: the community, the follow-up's steps, what
eligibility needs (from eligibility's own reasons) and the reference."""
import datetime as dt
from decimal import Decimal

import pytest

from identity.contracts import INTEREST_STATUSES
from identity.domain.eligibility import VolunteerFacts, volunteer_reasons
from identity.domain.interest import (
    NEXT,
    REFERENCE_ALPHABET,
    InterestRefused,
    check_community,
    check_transition,
    reference_number,
    what_eligibility_needs,
)


def test_a_registration_names_a_community_of_the_province():
    check_community("130102001001", "community")
    for code, level, reason in (("110101001001", "community", "not_in_province"),
                                ("130102001000", "township", "not_a_community"),
                                ("130102001999", None, "not_a_community")):
        with pytest.raises(InterestRefused) as info:
            check_community(code, level)
        assert info.value.reason == reason and info.value.zh and info.value.en


@pytest.mark.parametrize("current, wanted, person, refusal", [
    ("new", "new", False, "same_status"),
    ("contacted", "contacted", False, "same_status"),
    ("contacted", "new", False, "interest_closed"),
    ("registered", "declined", False, "interest_closed"),
    ("declined", "contacted", False, "interest_closed"),
    ("new", "registered", False, "person_required"),
    ("contacted", "declined", True, "person_not_expected"),
])
def test_each_refused_step_says_why(current, wanted, person, refusal):
    with pytest.raises(InterestRefused) as info:
        check_transition(current, wanted, person)
    assert info.value.reason == refusal


def test_the_open_statuses_move_on_and_the_final_ones_stay():
    for current, nexts in NEXT.items():
        for wanted in nexts:
            check_transition(current, wanted, wanted == "registered")
    assert set(NEXT) | {s for n in NEXT.values() for s in n} == set(INTEREST_STATUSES)


@pytest.mark.parametrize("hours", [Decimal(8), Decimal("12.5"), Decimal(0)])
def test_the_needs_are_eligibility_s_reasons_for_a_newcomer(hours):
    needs = what_eligibility_needs(hours)
    newcomer = volunteer_reasons(VolunteerFacts(age=0, volunteer_number=None,
                                                required_hours=hours))
    assert [n["code"] for n in needs] == [r["code"] for r in newcomer]
    assert all(n["zh"] and n["en"] for n in needs)
    training = [n for n in needs if n["code"] == "training_short"]
    assert training == ([] if not hours else [
        {"code": "training_short", "zh": f"完成{hours.normalize():f}小时培训",
         "en": f"Complete {hours.normalize():f} hours of training"}])
    assert needs[0]["zh"] == "年满18周岁"


def test_a_reference_is_dated_and_readable_by_phone():
    day = dt.date(2026, 12, 7)
    ref = reference_number(day, 123456789)
    assert ref.startswith("ZY20261207-") and len(ref) == 16
    assert set(ref[-5:]) <= set(REFERENCE_ALPHABET) and not set("01OI") & set(ref[-5:])
    assert reference_number(day, 1) != reference_number(day, 2)
