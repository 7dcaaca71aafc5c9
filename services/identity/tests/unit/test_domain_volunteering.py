"""Volunteer eligibility reasons one by one, the age boundary, training policy selection,
qualification validity and the registry export's rows."""
import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from identity.domain.eligibility import VolunteerFacts, volunteer_reasons
from identity.domain.id_numbers import age_at
from identity.domain.qualifications import QualificationRefused, check_new, is_valid, valid_kinds
from identity.domain.training_policy import TrainingPolicy, policy_for, required_hours

READY = VolunteerFacts(age=30, volunteer_number="V1", registry_status="verified",
                       screening="clear", training_hours=Decimal("8.0"),
                       required_hours=Decimal(8), health_declared=True)


def codes(facts):
    return [r["code"] for r in volunteer_reasons(facts)]


def test_a_volunteer_with_every_fact_is_eligible():
    assert volunteer_reasons(READY) == []


@pytest.mark.parametrize("change, code", [
    ({"age": 17}, "under_age"),
    ({"volunteer_number": None}, "no_volunteer_number"),
    ({"volunteer_number": " "}, "no_volunteer_number"),
    ({"registry_status": "unverified"}, "registry_unverified"),
    ({"registry_status": "rejected"}, "registry_unverified"),
    ({"screening": "flagged"}, "screening_flagged"),
    ({"screening": "unknown"}, "screening_unknown"),
    ({"training_hours": Decimal("7.9")}, "training_short"),
    ({"health_declared": False}, "no_health_declaration"),
])
def test_each_missing_fact_is_one_reason_in_both_languages(change, code):
    reasons = volunteer_reasons(replace(READY, **change))
    assert [r["code"] for r in reasons] == [code]
    assert reasons[0]["zh"] and reasons[0]["en"]


def test_training_short_names_the_hours():
    reason = volunteer_reasons(replace(READY, training_hours=Decimal("2.5")))[0]
    assert "2.5" in reason["zh"] and "8" in reason["en"]


def test_age_turns_eighteen_on_the_birthday():
    born = dt.date(2008, 11, 29)
    assert age_at(born, dt.date(2026, 11, 28)) == 17
    assert age_at(born, dt.date(2026, 11, 29)) == 18
    on_birthday = replace(READY, age=age_at(born, dt.date(2026, 11, 29)))
    day_before = replace(READY, age=age_at(born, dt.date(2026, 11, 28)))
    assert codes(on_birthday) == [] and codes(day_before) == ["under_age"]


POLICIES = [
    TrainingPolicy("130000000000", Decimal(8), dt.date(2026, 1, 1)),
    TrainingPolicy("130100000000", Decimal(12), dt.date(2026, 7, 1)),
    TrainingPolicy("130100000000", Decimal(16), dt.date(2027, 1, 1)),
    TrainingPolicy("130102001000", Decimal(4), dt.date(2026, 3, 1)),
]


@pytest.mark.parametrize("region, day, hours", [
    ("130203001001", dt.date(2026, 6, 1), 8),    # 唐山: the province default
    ("130105001001", dt.date(2026, 6, 30), 8),   # 石家庄 before its own rule
    ("130105001001", dt.date(2026, 7, 1), 12),   # 石家庄 on the effective date
    ("130105001001", dt.date(2027, 1, 1), 16),   # the city's later rule
    ("130102001001", dt.date(2026, 8, 1), 4),    # 建北街道: most specific prefix wins
    ("130102001001", dt.date(2026, 2, 1), 8),    # ...but only once in force
    ("130203001001", dt.date(2025, 12, 31), 0),  # nothing in force yet
    ("110101001001", dt.date(2026, 6, 1), 0),    # outside the province
])
def test_the_most_specific_policy_in_force_wins(region, day, hours):
    assert required_hours(POLICIES, region, day) == Decimal(hours)


def test_no_policy_means_none():
    assert policy_for([], "130102001001", dt.date(2026, 6, 1)) is None


def test_a_qualification_counts_while_verified_up_to_its_last_day():
    today = dt.date(2026, 11, 29)
    assert is_valid("verified", today, today)
    assert not is_valid("verified", today - dt.timedelta(days=1), today)
    assert not is_valid("pending", today, today) and not is_valid("rejected", today, today)
    rows = [{"kind": "nurse", "status": "verified", "valid_until": today},
            {"kind": "lawyer", "status": "verified", "valid_until": dt.date(2026, 1, 1)},
            {"kind": "physician", "status": "pending", "valid_until": dt.date(2030, 1, 1)},
            {"kind": "nurse", "status": "verified", "valid_until": dt.date(2030, 1, 1)}]
    assert valid_kinds(rows, today) == ["nurse"]
    check_new(today, today)
    with pytest.raises(QualificationRefused) as info:
        check_new(today - dt.timedelta(days=1), today)
    assert info.value.reason == "already_expired" and info.value.zh
