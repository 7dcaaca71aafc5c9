"""The catalogue as committed (the seed migration 0001 loads: a file read) and the rules about
categories."""
import pytest

from demand.adapters.catalogue_seed import load_seed
from demand.domain.catalogue import Category, check_group, require_offered
from timebank_common.errors import BadInput


def seeded() -> dict[str, Category]:
    rows = load_seed()
    return {r["code"]: Category(r["code"], r["name_zh"], r["name_en"], r["professional"],
                                tuple(r["qualifications"]), r["default_minutes"],
                                r["group_allowed"]) for r in rows}


def test_seed_has_the_policy_catalogue_and_is_consistent():
    catalogue = seeded()
    assert set(catalogue) == {
        "emotional_comfort", "assistance", "outing_companion", "culture_sports",
        "health_education", "psychological_counselling", "lectures_training",
        "fraud_prevention", "home_care", "free_clinic", "legal_aid",
    }
    assert [p for c in catalogue.values() for p in c.consistency_problems()] == []
    assert catalogue["home_care"].qualifications == ("elderly_care_worker", "nurse")
    assert catalogue["psychological_counselling"].qualifications == ("psychological_counsellor",)
    assert catalogue["legal_aid"].professional and catalogue["free_clinic"].professional
    assert catalogue["fraud_prevention"].name_zh == "防范金融和网络风险"


def test_housekeeping_is_refused_with_an_explanation():
    with pytest.raises(BadInput) as e:
        require_offered("housekeeping", seeded())
    assert e.value.code == "category_not_offered"
    assert "家政" in e.value.zh and "housekeeping" in e.value.en
    assert "emotional_comfort" in e.value.details["offered"]


def test_unknown_category_is_refused():
    with pytest.raises(BadInput) as e:
        require_offered("massage", seeded())
    assert e.value.code == "unknown_category"


def test_group_only_where_allowed():
    catalogue = seeded()
    check_group(catalogue["lectures_training"], 30)
    check_group(catalogue["legal_aid"], 1)
    with pytest.raises(BadInput) as e:
        check_group(catalogue["legal_aid"], 2)
    assert e.value.code == "group_not_allowed"
