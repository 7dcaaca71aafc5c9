"""Pure aggregation of the supervisors' statistics (identity.domain.statistics)."""
import datetime as dt

import pytest

from identity.domain.statistics import (
    CarrierRow,
    ElderRow,
    Period,
    RegionRows,
    VolunteerRow,
    elder_age_band,
    is_active,
    region_statistics,
    volunteer_age_band,
)

JAN, MAR = dt.date(2026, 1, 15), dt.date(2026, 3, 2)
CHANG_AN, JIANBEI, YUCAI = "130102000000", "130102001000", "130102001001"
QINGYUAN = "130102002001"


@pytest.mark.parametrize("age, band", [(60, "60-69"), (69, "60-69"), (70, "70-79"),
                                       (89, "80-89"), (90, "90+"), (104, "90+")])
def test_elders_fall_into_four_age_bands(age, band):
    assert elder_age_band(age) == band


@pytest.mark.parametrize("age, band", [(17, "under_18"), (18, "18-29"), (29, "18-29"),
                                       (30, "30-39"), (59, "50-59"), (60, "60+"), (75, "60+")])
def test_volunteers_fall_into_age_bands(age, band):
    assert volunteer_age_band(age) == band


def test_a_period_counts_registration_days_with_both_ends_included():
    assert Period(JAN, MAR).holds(JAN) and Period(JAN, MAR).holds(MAR)
    assert not Period(JAN, MAR).holds(MAR + dt.timedelta(days=1))
    assert Period(None, JAN).holds(dt.date(2020, 1, 1)) and Period(MAR, None).holds(MAR)
    assert not Period().given and Period().view() == {"from": None, "to": None}


def test_active_means_served_in_the_last_90_days():
    today = dt.date(2026, 6, 30)
    assert is_active(today, today) and is_active(today - dt.timedelta(days=89), today)
    assert not is_active(today - dt.timedelta(days=90), today)
    assert not is_active(None, today)


def _rows() -> RegionRows:
    return RegionRows(
        volunteers=[
            VolunteerRow(YUCAI, "male", 35, JAN, True, ("party_member",), active=True),
            VolunteerRow(YUCAI, "female", 62, MAR, False, ("party_member", "younger_old")),
            VolunteerRow(QINGYUAN, "female", 24, MAR, True),
        ],
        elders=[
            ElderRow(YUCAI, 83, JAN, True, ("empty_nest",)),
            ElderRow(YUCAI, 67, MAR, False),
            ElderRow(QINGYUAN, 91, MAR, False, ("empty_nest", "disability")),
        ],
        carriers=[CarrierRow(YUCAI, "social_work_station"), CarrierRow(QINGYUAN, "lei_feng_station"),
                  CarrierRow(QINGYUAN, "lei_feng_station")],
        operator_regions=[YUCAI, YUCAI])


def test_a_region_counts_volunteers_elders_carriers_and_operators():
    stats = region_statistics(CHANG_AN, _rows(), Period(MAR, None), {})
    volunteers, elders = stats["volunteers"], stats["elders"]
    assert (volunteers["registered"], volunteers["new_in_period"], volunteers["eligible"]) == (3, 2, 2)
    assert volunteers["active"] == 1
    assert volunteers["by_background_tag"] == {"party_member": 2, "younger_old": 1}
    assert volunteers["by_sex"] == {"male": 1, "female": 2}
    assert volunteers["by_age_band"]["18-29"] == 1 and volunteers["by_age_band"]["60+"] == 1
    assert (elders["registered"], elders["new_in_period"], elders["phone_only"]) == (3, 2, 1)
    # advanced_age is derived (80+), never stored
    assert elders["by_hardship_category"]["advanced_age"] == 2
    assert elders["by_hardship_category"]["empty_nest"] == 2
    assert elders["by_hardship_category"]["economic_hardship"] == 0
    assert elders["with_any_hardship"] == 2
    assert elders["by_age_band"] == {"60-69": 1, "70-79": 0, "80-89": 1, "90+": 1}
    assert stats["carriers"] == {"total": 3, "by_kind": {"lei_feng_station": 2,
                                                         "social_work_station": 1}}
    assert stats["station_operators"] == 2
    assert stats["period"] == {"from": "2026-03-02", "to": None}


def test_the_breakdown_lists_every_known_child_even_empty_ones():
    names = {JIANBEI: "建北街道", "130102002000": "青园街道", "130102003000": "东大街街道"}
    children = region_statistics(CHANG_AN, _rows(), Period(), names)["children"]
    assert [c["region_code"] for c in children] == sorted(names)
    jianbei, qingyuan, empty = children
    assert jianbei["name"] == "建北街道"
    assert (jianbei["volunteers_registered"], jianbei["volunteers_eligible"],
            jianbei["elders_registered"], jianbei["carriers"], jianbei["station_operators"]) == (
        2, 1, 2, 1, 2)
    assert jianbei["volunteers_new_in_period"] is None  # no period asked
    assert jianbei["volunteers_active"] == 1 and qingyuan["volunteers_active"] == 0
    assert (qingyuan["volunteers_registered"], qingyuan["elders_registered"],
            qingyuan["carriers"]) == (1, 1, 2)
    assert empty["volunteers_registered"] == 0 and empty["elders_registered"] == 0


def test_a_community_has_no_breakdown():
    assert region_statistics(YUCAI, _rows(), Period(), {})["children"] == []
