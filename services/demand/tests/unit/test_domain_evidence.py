"""Evidence flags, each on its own, and threshold resolution (demand/domain/evidence.py)."""
import datetime as dt

import pytest

from demand.domain import evidence
from demand.domain.evidence import Evidence, flags_for, thresholds_for
from timebank_common.errors import BadInput
from timebank_common.policies import PolicyRow

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
PLACE = {"lat": 38.05, "lng": 114.52}
LIMITS = dict(evidence.PROVINCE_DEFAULT)


def clean(**changes) -> Evidence:
    """Evidence that raises no flag; each test changes one thing."""
    values = dict(minutes=60, expected_minutes=60, checked_in_at=NOW, checked_out_at=NOW + H,
                  check_in_location=dict(PLACE), demand_location=dict(PLACE), related=False,
                  other_windows=(), minutes_that_day=0, check_out_location=dict(PLACE),
                  check_in_device_at=NOW, check_out_device_at=NOW + H, window_start=NOW,
                  window_end=NOW + 2 * H)
    values.update(changes)
    return Evidence(**values)


def codes(ev, limits=LIMITS):
    return [f.code for f in flags_for(ev, limits)]


def test_clean_evidence_raises_no_flag():
    assert codes(clean()) == []


def test_missing_presence_is_flagged():
    assert codes(clean(checked_in_at=None, checked_out_at=None)) == ["no_presence_evidence"]


def test_check_in_far_from_the_place_is_flagged_with_the_distance():
    far = {"lat": 38.06, "lng": 114.52}  # about 1.1 km north
    [flag] = flags_for(clean(check_in_location=far), LIMITS)
    assert flag.code == "check_in_too_far"
    assert 1000 < flag.details["distance_m"] < 1200 and flag.details["limit_m"] == 500
    assert "米" in flag.zh and "m from" in flag.en
    near = {"lat": 38.052, "lng": 114.52}  # about 220 m
    assert codes(clean(check_in_location=near)) == []
    # no coordinates: no distance to compare, but the missing location is a flag of its own
    assert codes(clean(check_in_location=None)) == ["location_missing"]


def test_haversine_distance():
    assert evidence.distance_m(PLACE, PLACE) == 0
    one_degree_lat = evidence.distance_m({"lat": 0, "lng": 0}, {"lat": 1, "lng": 0})
    assert 111_000 < one_degree_lat < 111_400


def test_duration_far_off_the_expected_is_flagged_both_ways():
    assert codes(clean(minutes=25, checked_out_at=NOW + H)) == ["duration_off_expected"]
    long = clean(minutes=150, expected_minutes=60, checked_out_at=NOW + 2 * H,
                 check_out_device_at=NOW + 2 * H)
    assert codes(long) == ["duration_off_expected"]
    assert codes(clean(minutes=30)) == []  # exactly half: within


def test_minutes_beyond_presence_are_flagged():
    assert codes(clean(minutes=100, checked_out_at=NOW + H)) == ["minutes_exceed_presence"]


def test_overlap_with_another_record_of_the_volunteer_is_flagged():
    other = ("rec-1", NOW + dt.timedelta(minutes=30), NOW + 2 * H)
    [flag] = flags_for(clean(other_windows=(other,)), LIMITS)
    assert flag.code == "overlapping_record" and flag.details == {"record_id": "rec-1"}
    before = ("rec-2", NOW - 2 * H, NOW)  # ends when this one starts
    assert codes(clean(other_windows=(before,))) == []


def test_direct_relatives_are_flagged():
    assert codes(clean(related=True)) == ["direct_relatives"]


def test_daily_maximum_is_flagged():
    [flag] = flags_for(clean(minutes_that_day=430), LIMITS)
    assert flag.code == "daily_maximum_exceeded" and flag.details["day_minutes"] == 490
    assert codes(clean(minutes_that_day=420)) == []  # exactly 480: allowed


def test_every_flag_explains_itself_in_both_languages():
    ev = clean(related=True, minutes=200, checked_out_at=NOW + H, minutes_that_day=400,
               check_in_location={"lat": 39.0, "lng": 115.0},
               other_windows=(("r", NOW, NOW + H),))
    flags = flags_for(ev, LIMITS)
    assert len(flags) == 6
    assert all(f.zh and f.en and f.to_dict()["code"] == f.code for f in flags)


def test_a_backdated_device_time_is_flagged_with_its_skew():
    [flag] = flags_for(clean(check_in_device_at=NOW - 7 * H), LIMITS)
    assert flag.code == "device_time_skewed"
    assert flag.details == {"check_in_skew_minutes": -420, "limit_minutes": 10}
    assert codes(clean(check_out_device_at=NOW + H + dt.timedelta(minutes=10))) == []
    assert codes(clean(check_in_device_at=None, check_out_device_at=None)) == []  # none sent


def test_a_step_without_location_is_flagged():
    [flag] = flags_for(clean(check_out_location=None), LIMITS)
    assert (flag.code, flag.details) == ("location_missing", {"missing": ["check_out"]})
    [flag] = flags_for(clean(check_in_location=None, check_out_location=None), LIMITS)
    assert flag.details == {"missing": ["check_in", "check_out"]} and "签到、签退" in flag.zh


def test_a_check_out_far_from_the_place_is_flagged():
    far = {"lat": 38.06, "lng": 114.52}  # about 1.1 km north
    [flag] = flags_for(clean(check_out_location=far), LIMITS)
    assert flag.code == "checkout_far_from_address" and 1000 < flag.details["distance_m"] < 1200
    assert codes(clean(check_out_location=far),
                 {**LIMITS, "max_check_out_distance_m": 2000}) == []


def test_presence_outside_the_window_is_flagged_beyond_the_tolerance():
    early = clean(checked_in_at=NOW - dt.timedelta(minutes=31),
                  check_in_device_at=NOW - dt.timedelta(minutes=31))
    [flag] = flags_for(early, LIMITS)
    assert flag.code == "presence_outside_window" and flag.details["minutes_before_start"] == 31
    late = NOW + 2 * H + dt.timedelta(minutes=40)
    [flag] = flags_for(clean(checked_out_at=late, check_out_device_at=late, minutes=60), LIMITS)
    assert flag.details["minutes_after_end"] == 40
    on_time = NOW - dt.timedelta(minutes=30)
    assert codes(clean(checked_in_at=on_time, check_in_device_at=on_time)) == []


ROWS = [
    PolicyRow("130000000000", dt.date(2020, 1, 1), dict(evidence.PROVINCE_DEFAULT), 1),
    PolicyRow("130100000000", dt.date(2026, 1, 1), {"max_check_in_distance_m": 1000}, 2),
    PolicyRow("130102000000", dt.date(2026, 6, 1), {"daily_max_minutes": 600}, 3),
    PolicyRow("130000000000", dt.date(2026, 9, 1), {"daily_max_minutes": 360,
                                                    "min_duration_ratio": 0.3}, 4),
]


def test_thresholds_resolve_per_value_most_specific_then_latest():
    county = thresholds_for(ROWS, "130102001001", dt.date(2026, 10, 1))
    assert county["max_check_in_distance_m"] == 1000  # the city's
    assert county["daily_max_minutes"] == 600  # the county's beats a later province change
    assert county["min_duration_ratio"] == 0.3  # the later province change reaches it
    other_city = thresholds_for(ROWS, "130203001001", dt.date(2026, 10, 1))
    assert other_city["max_check_in_distance_m"] == 500
    assert other_city["daily_max_minutes"] == 360
    earlier = thresholds_for(ROWS, "130102001001", dt.date(2025, 12, 31))
    assert earlier == evidence.PROVINCE_DEFAULT  # nothing else in effect yet


def test_threshold_rows_are_checked():
    with pytest.raises(BadInput) as e:
        evidence.check_threshold_values({"max_check_in_metres": 5})
    assert e.value.code == "unknown_policy_key"
    with pytest.raises(BadInput) as e:
        evidence.check_threshold_values({"max_duration_ratio": 0.5})
    assert e.value.code == "policy_value_out_of_range"
    with pytest.raises(BadInput):
        evidence.check_threshold_values({})
    assert evidence.check_threshold_values({"daily_max_minutes": 600}) == {
        "daily_max_minutes": 600}
    today = dt.date(2026, 11, 20)
    with pytest.raises(BadInput) as e:
        evidence.check_policy_row("130102001000", today, today)  # a township
    assert e.value.code == "policy_level"
    with pytest.raises(BadInput) as e:
        evidence.check_policy_row("130100000000", today - dt.timedelta(days=1), today)
    assert e.value.code == "policy_in_past"
    evidence.check_policy_row("130100000000", today, today)
