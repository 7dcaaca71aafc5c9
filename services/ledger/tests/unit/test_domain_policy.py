"""Regional policies: resolution per value (province default, city and county overrides,
effective dates), rounding, the yearly cap, periods, and checking a new row."""
import datetime as dt

import pytest

from ledger.contracts.kinds import PHASE_PENDING, PHASE_POST_PENDING
from ledger.domain.crediting import plan_credit
from ledger.domain.policy import (
    PROVINCE_CODE,
    PROVINCE_DEFAULT,
    PolicyRow,
    check_new_row,
    check_values,
    period_key,
    policy_for,
    rounded_minutes,
    split_at_cap,
    yearly_service_minutes,
)
from ledger.domain.transfers import Transfer
from timebank_common.errors import BadInput

SHIJIAZHUANG, CHANGAN = "130100000000", "130102000000"
COMMUNITY_CHANGAN = "130102001001"  # in 长安区, 石家庄
COMMUNITY_TANGSHAN = "130203001001"
D = dt.date

ROWS = [
    PolicyRow(PROVINCE_CODE, D(2020, 1, 1), PROVINCE_DEFAULT, 1),
    PolicyRow(SHIJIAZHUANG, D(2026, 7, 1), {"yearly_cap_minutes": 30000,
                                            "rounding_unit_minutes": 30,
                                            "rounding_mode": "nearest"}, 2),
    PolicyRow(CHANGAN, D(2026, 10, 1), {"yearly_cap_minutes": 12000, "cap_excess": "refuse"}, 3),
    PolicyRow(PROVINCE_CODE, D(2027, 1, 1), {"yearly_cap_minutes": 25000}, 4),
]


def test_the_province_default_applies_where_nothing_overrides_it():
    policy = policy_for(ROWS, COMMUNITY_TANGSHAN, D(2026, 11, 29))
    assert policy.values == PROVINCE_DEFAULT
    assert policy.sources["yearly_cap_minutes"]["region_code"] == PROVINCE_CODE


def test_a_city_overrides_only_the_values_it_sets():
    policy = policy_for(ROWS, "130104001001", D(2026, 11, 29))  # 桥西区, 石家庄
    assert policy["yearly_cap_minutes"] == 30000
    assert (policy["rounding_unit_minutes"], policy["rounding_mode"]) == (30, "nearest")
    assert policy["cap_excess"] == "route_to_pool"  # from the province
    assert policy.grant_for("economic_hardship") == {"minutes": 120, "period": "quarter"}


def test_a_county_overrides_the_city_and_the_province():
    policy = policy_for(ROWS, COMMUNITY_CHANGAN, D(2026, 11, 29))
    assert (policy["yearly_cap_minutes"], policy["cap_excess"]) == (12000, "refuse")
    assert policy["rounding_unit_minutes"] == 30  # the city's
    assert policy.sources["yearly_cap_minutes"] == {"region_code": CHANGAN,
                                                    "effective_from": "2026-10-01", "id": 3}


def test_a_row_takes_effect_on_its_date_not_the_day_before():
    assert policy_for(ROWS, COMMUNITY_CHANGAN, D(2026, 9, 30))["yearly_cap_minutes"] == 30000
    assert policy_for(ROWS, COMMUNITY_CHANGAN, D(2026, 10, 1))["yearly_cap_minutes"] == 12000
    assert policy_for(ROWS, "130104001001", D(2026, 6, 30))["yearly_cap_minutes"] == 20000
    assert policy_for(ROWS, "130104001001", D(2026, 7, 1))["yearly_cap_minutes"] == 30000


def test_a_later_province_change_does_not_beat_a_more_specific_row():
    assert policy_for(ROWS, COMMUNITY_TANGSHAN, D(2027, 1, 1))["yearly_cap_minutes"] == 25000
    assert policy_for(ROWS, COMMUNITY_CHANGAN, D(2027, 1, 1))["yearly_cap_minutes"] == 12000


def test_before_any_row_there_is_no_policy():
    assert policy_for(ROWS, COMMUNITY_TANGSHAN, D(2019, 12, 31)).values == {}


@pytest.mark.parametrize("minutes,unit,mode,expected", [
    (50, 15, "down", 45), (44, 15, "down", 30), (10, 15, "down", 0), (90, 15, "down", 90),
    (44, 30, "nearest", 30), (45, 30, "nearest", 60), (61, 30, "up", 90), (37, None, None, 37),
])
def test_rounding_of_recorded_minutes(minutes, unit, mode, expected):
    assert rounded_minutes(minutes, unit, mode) == expected


def test_the_yearly_cap_splits_off_the_excess():
    assert split_at_cap(19950, 90, 20000) == (50, 40)
    assert split_at_cap(20000, 90, 20000) == (0, 90)
    assert split_at_cap(100, 90, 20000) == (90, 0)
    assert split_at_cap(10**6, 90, None) == (90, 0)


def test_a_credit_plan_rounds_then_caps_and_routes_or_refuses_the_excess():
    to_pool = policy_for(ROWS, COMMUNITY_TANGSHAN, D(2026, 11, 29))
    plan = plan_credit(100, 19950, to_pool)
    assert (plan.rounded, plan.credited, plan.excess, plan.excess_to, plan.paid) == (
        90, 50, 40, "pool", 90)
    refuse = policy_for(ROWS, COMMUNITY_CHANGAN, D(2026, 11, 29))
    plan = plan_credit(100, 11940, refuse)
    assert (plan.rounded, plan.credited, plan.excess, plan.excess_to, plan.paid) == (
        90, 60, 30, "refused", 60)


def test_grant_periods_have_names():
    assert period_key("month", D(2026, 11, 29)) == "2026-11"
    assert period_key("quarter", D(2026, 11, 29)) == "2026-Q4"
    assert period_key("quarter", D(2026, 1, 1)) == "2026-Q1"
    assert period_key("year", D(2026, 11, 29)) == "2026"


def test_a_new_row_is_for_a_province_city_or_county_and_a_future_date():
    today = D(2026, 11, 29)
    check_new_row(CHANGAN, D(2026, 11, 30), today)
    with pytest.raises(BadInput) as refused:
        check_new_row(CHANGAN, today, today)
    assert refused.value.code == "policy_not_future"
    with pytest.raises(BadInput) as refused:
        check_new_row("130102001000", D(2027, 1, 1), today)  # a township
    assert refused.value.code == "policy_region_level"


@pytest.mark.parametrize("values", [
    {}, {"colour": "red"}, {"yearly_cap_minutes": -5}, {"cap_excess": "burn"},
    {"rounding_mode": "sideways"}, {"rounding_unit_minutes": 0},
    {"grant_minutes": {"empty_nest": {"minutes": 60, "period": "week"}}},
    {"expiry_months": 0},
])
def test_invalid_policy_values_are_refused(values):
    with pytest.raises(BadInput) as refused:
        check_values(values)
    assert refused.value.code == "policy_invalid"


def test_valid_values_pass():
    assert check_values({"yearly_cap_minutes": None, "expiry_months": 24}) == {
        "yearly_cap_minutes": None, "expiry_months": 24}


def _transfer(kind, phase, credit, minutes, at):
    return Transfer("t", kind, "payer", credit, minutes, phase=phase, created_at=at)


def test_the_yearly_sums_count_posted_service_credits_by_china_year():
    new_year_eve_utc = dt.datetime(2026, 12, 31, 15, 59, tzinfo=dt.UTC)  # 23:59 in China
    new_year_utc = dt.datetime(2026, 12, 31, 16, 1, tzinfo=dt.UTC)  # 00:01, 1 January 2027
    created = [
        _transfer("service_credit", "posted", "v1", 60, new_year_eve_utc),
        _transfer("service_credit", "posted", "v1", 30, new_year_utc),
        _transfer("service_credit", "posted", "v1", 15, new_year_utc),
        _transfer("service_credit", PHASE_POST_PENDING, "v2", 45, new_year_utc),
        _transfer("service_credit", PHASE_PENDING, "v2", 45, new_year_utc),  # not yet posted
        _transfer("gift_to_relative", "posted", "v1", 20, new_year_utc),  # not a deposit
    ]
    assert yearly_service_minutes(created) == {("v1", 2026): 60, ("v1", 2027): 45,
                                               ("v2", 2027): 45}
