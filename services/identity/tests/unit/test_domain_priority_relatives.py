"""Pure rules: hardship categories, direct relatives and the review of both (four-eyes)."""
import pytest

from identity.contracts import ADVANCED_AGE
from identity.contracts import HARDSHIP_CATEGORIES as CATEGORIES
from identity.contracts import RELATION_INVERSES as INVERSE
from identity.contracts import RELATION_KINDS as KINDS
from identity.domain.priority import (
    SUBMITTABLE,
    PriorityRefused,
    check_submission,
    priority_categories,
)
from identity.domain.relatives import (
    RelationRefused,
    check_link,
    inverse,
    kind_seen_from,
    other_person,
)
from identity.domain.review import Reviewer, ReviewRefused, decide

OPERATOR = Reviewer("op-1", ("station_operator",))
TOWNSHIP = Reviewer("tw-1", ("township_admin",))
COUNTY = Reviewer("co-1", ("county_admin",))


# -- hardship categories --------------------------------------------------------
def test_the_seven_policy_categories_and_advanced_age_is_not_submittable():
    assert len(CATEGORIES) == 7 and ADVANCED_AGE in CATEGORIES
    assert ADVANCED_AGE not in SUBMITTABLE and len(SUBMITTABLE) == 6
    assert CATEGORIES["family_planning_special"][0] == "计划生育特殊家庭"


def test_a_submission_keeps_the_trimmed_evidence():
    assert check_submission("empty_nest", "  独居证明 2026-01  ", None) == "独居证明 2026-01"
    assert check_submission("empty_nest", "重新提交", "rejected") == "重新提交"


@pytest.mark.parametrize("category, evidence, existing, reason", [
    (ADVANCED_AGE, "身份证", None, "derived_category"),
    ("rich", "x", None, "unknown_category"),
    ("economic_hardship", "", None, "evidence_required"),
    ("economic_hardship", "   ", None, "evidence_required"),
    ("economic_hardship", None, None, "evidence_required"),
    ("economic_hardship", "x" * 2001, None, "evidence_too_long"),
    ("economic_hardship", "低保证", "pending", "already_pending"),
    ("economic_hardship", "低保证", "verified", "already_verified"),
])
def test_each_refused_submission_says_why(category, evidence, existing, reason):
    with pytest.raises(PriorityRefused) as info:
        check_submission(category, evidence, existing)
    assert info.value.reason == reason and info.value.zh and info.value.en


def test_advanced_age_is_derived_at_80_and_categories_keep_policy_order():
    assert priority_categories(["disability", "empty_nest"], 78) == ["empty_nest", "disability"]
    assert priority_categories([], 79) == []
    assert priority_categories([], 80) == [ADVANCED_AGE]
    assert priority_categories(["family_planning_special", "economic_hardship"], 91) == [
        "economic_hardship", ADVANCED_AGE, "family_planning_special"]


# -- review ---------------------------------------------------------------------
def test_another_staff_member_verifies_or_rejects_with_a_reason():
    assert decide("pending", "verify", None, "op-1", TOWNSHIP) == "verified"
    assert decide("pending", "reject", "材料不全", "op-1", TOWNSHIP) == "rejected"
    assert decide("pending", "verify", None, None, OPERATOR) == "verified"


@pytest.mark.parametrize("role", ["province_admin", "city_admin", "county_admin",
                                  "township_admin", "station_operator"])
@pytest.mark.parametrize("decision, reason", [("verify", None), ("reject", "材料不全")])
def test_nobody_decides_their_own_submission_whatever_their_level(role, decision, reason):
    with pytest.raises(ReviewRefused) as info:
        decide("pending", decision, reason, "x", Reviewer("x", (role,)))
    assert info.value.reason == "four_eyes" and "提交人" in info.value.zh
    assert decide("pending", decision, reason, "someone-else", Reviewer("x", (role,))) in (
        "verified", "rejected")


def test_nobody_decides_a_record_about_themself_not_even_a_province_admin():
    province = Reviewer("pa-1", ("province_admin",))
    with pytest.raises(ReviewRefused) as info:
        decide("pending", "verify", None, "op-1", province, about=("vol-1", "pa-1"))
    assert info.value.reason == "own_record" and info.value.zh and info.value.en
    assert decide("pending", "verify", None, "op-1", province, about=("vol-1",)) == "verified"


@pytest.mark.parametrize("status, decision, reason, submitter, reviewer, refusal", [
    ("pending", "verify", None, "op-1", OPERATOR, "four_eyes"),
    ("pending", "reject", "重复", "tw-1", TOWNSHIP, "four_eyes"),
    ("verified", "verify", None, "op-1", TOWNSHIP, "not_pending"),
    ("rejected", "verify", None, "op-1", TOWNSHIP, "not_pending"),
    ("pending", "approve", None, "op-1", TOWNSHIP, "unknown_decision"),
    ("pending", "reject", "  ", "op-1", TOWNSHIP, "reason_required"),
    ("pending", "reject", None, "op-1", TOWNSHIP, "reason_required"),
])
def test_each_refused_decision_says_why(status, decision, reason, submitter, reviewer, refusal):
    with pytest.raises(ReviewRefused) as info:
        decide(status, decision, reason, submitter, reviewer)
    assert info.value.reason == refusal and info.value.zh and info.value.en


# -- direct relatives -------------------------------------------------------------
def test_every_kind_has_an_inverse_that_leads_back():
    assert set(INVERSE) == set(KINDS)
    assert inverse("parent") == "child" and inverse("grandchild") == "grandparent"
    assert inverse("spouse") == "spouse"
    for kind in KINDS:
        assert inverse(inverse(kind)) == kind


def test_a_link_reads_from_both_sides():
    link = {"person_id": "a", "relative_person_id": "b", "kind": "parent"}
    assert kind_seen_from(link, "a") == "parent"  # b is a's parent
    assert kind_seen_from(link, "b") == "child"  # a is b's child
    assert other_person(link, "a") == "b" and other_person(link, "b") == "a"
    with pytest.raises(ValueError):
        kind_seen_from(link, "c")


def test_a_valid_link_keeps_the_trimmed_evidence():
    assert check_link("a", "b", "spouse", " 结婚证 J130102-2001-0001 ", False) == \
        "结婚证 J130102-2001-0001"


@pytest.mark.parametrize("person, relative, kind, evidence, linked, reason", [
    ("a", "b", "cousin", "户口簿", False, "unknown_kind"),
    ("a", "a", "child", "户口簿", False, "self_link"),
    ("a", "b", "child", " ", False, "evidence_required"),
    ("a", "b", "child", "x" * 2001, False, "evidence_too_long"),
    ("a", "b", "child", "户口簿", True, "already_linked"),
])
def test_each_refused_link_says_why(person, relative, kind, evidence, linked, reason):
    with pytest.raises(RelationRefused) as info:
        check_link(person, relative, kind, evidence, linked)
    assert info.value.reason == reason and info.value.zh and info.value.en


def test_the_age_rule_with_an_injected_date():
    import datetime as dt

    from identity.domain.id_numbers import age_at
    from identity.domain.priority import born_by_for_advanced_age

    for today in (dt.date(2026, 6, 15), dt.date(2028, 2, 29), dt.date(2027, 3, 1),
                  dt.date(2027, 2, 28)):
        born_by = born_by_for_advanced_age(today)
        assert age_at(born_by, today) >= 80
        assert age_at(born_by + dt.timedelta(days=1), today) < 80


def test_only_a_verified_category_is_withdrawn_and_never_advanced_age():
    import pytest

    from identity.domain.priority import PriorityRefused, check_revocation

    assert check_revocation("empty_nest", "verified", " 子女已返乡 ") == "子女已返乡"
    for args, reason in ((("advanced_age", "verified", "x"), "age_not_revocable"),
                         (("rich", "verified", "x"), "unknown_category"),
                         (("empty_nest", "pending", "x"), "not_verified"),
                         (("empty_nest", None, "x"), "not_verified"),
                         (("empty_nest", "verified", " "), "reason_required")):
        with pytest.raises(PriorityRefused) as info:
            check_revocation(*args)
        assert info.value.reason == reason
