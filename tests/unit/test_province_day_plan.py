"""The province day's plan (tests/perf/province_day_plan.py): seeded, spread over Hebei by
residents over 60, and shaped so that what it asks of the platform is allowed by the rules the
platform enforces (one live assignment per volunteer, the daily maximum, no duplicate demand,
recorded minutes within presence), except where the plan means a record to be held."""
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "perf"))

from province_day_plan import (  # noqa: E402
    CATEGORIES,
    CHANNELS,
    CITY_UNITS,
    DEFAULT_SERVICES,
    FLAGGED_MINUTES,
    OVER_60_TOTAL,
    SERVICES_PER_VOLUNTEER,
    DayPlan,
)

from demand.domain.evidence import PROVINCE_DEFAULT  # noqa: E402
from timebank_common.regions import city_unit_of  # noqa: E402


@pytest.fixture(scope="module")
def day() -> DayPlan:
    return DayPlan.at_scale(DEFAULT_SERVICES, seed=1)


def test_the_same_seed_gives_the_same_plan_and_another_seed_another():
    assert DayPlan.at_scale(2000, 7).services == DayPlan.at_scale(2000, 7).services
    assert DayPlan.at_scale(2000, 7).services != DayPlan.at_scale(2000, 8).services


def test_the_default_day_is_ten_times_nanjings_rate_over_hebeis_elders():
    per_10k_per_day = 85_000 / 365 / 1_750_000 * 10_000  # Nanjing, the module docstring
    assert abs(OVER_60_TOTAL * 1000 * 10 * per_10k_per_day / 10_000 - DEFAULT_SERVICES) < 1000


def test_services_follow_the_residents_over_60_of_each_city_level_unit(day):
    assert len(day.services) == DEFAULT_SERVICES
    by_unit = Counter(day.stations[s.station].city_name for s in day.services)
    assert set(by_unit) == {name for _, name, *_ in CITY_UNITS}
    for _, name, over60, *_ in CITY_UNITS:
        assert by_unit[name] == pytest.approx(DEFAULT_SERVICES * over60 / OVER_60_TOTAL, abs=1)


def test_stations_sit_in_communities_of_their_units_management_codes(day):
    communities = [s.community for s in day.stations]
    assert len(set(communities)) == len(communities)
    for station in day.stations:
        assert station.community.startswith(station.township[:9])
        assert city_unit_of(station.community) == station.city


def test_every_channel_and_category_is_used_near_its_share(day):
    channels = Counter(s.channel for s in day.services)
    categories = Counter(s.category for s in day.services)
    for name, share in CHANNELS.items():
        assert channels[name] / len(day.services) == pytest.approx(share, abs=0.02)
    assert set(categories) == set(CATEGORIES)


def test_app_demands_come_from_elders_with_a_login(day):
    app = {e.index for e in day.elders if e.app}
    assert all(s.elder in app for s in day.services if s.channel == "app")


def test_no_elder_asks_twice_for_the_same_category(day):
    asked = Counter((s.elder, s.category) for s in day.services)
    assert max(asked.values()) == 1


def test_a_volunteer_serves_one_demand_per_wave_and_stays_under_the_daily_maximum(day):
    served = [s for s in day.services if not s.rejected]
    assert all(s.volunteer is not None for s in served)
    assert all(s.volunteer is None for s in day.services if s.rejected)
    per_wave = Counter((s.volunteer, s.wave) for s in served)
    assert max(per_wave.values()) == 1
    minutes = Counter()
    for s in served:
        minutes[s.volunteer] += s.minutes
        assert day.volunteers[s.volunteer].station == s.station  # their own station
    assert max(Counter(s.volunteer for s in served).values()) <= SERVICES_PER_VOLUNTEER
    assert max(minutes.values()) <= PROVINCE_DEFAULT["daily_max_minutes"]


def test_only_the_records_meant_to_be_held_exceed_presence_or_the_expected_duration(day):
    tolerance = PROVINCE_DEFAULT["presence_tolerance_minutes"]
    low, high = PROVINCE_DEFAULT["min_duration_ratio"], PROVINCE_DEFAULT["max_duration_ratio"]
    for s in (s for s in day.services if not s.rejected):
        within = s.minutes <= tolerance and low <= s.minutes / s.expected_minutes <= high
        assert within == (s.outcome == "sent"), s
        assert s.minutes % 15 == 0  # whole rounding units: credited as recorded
    outcomes = Counter(s.outcome for s in day.services if not s.rejected)
    assert outcomes["released"] and outcomes["rejected"] and outcomes["held"]
    assert FLAGGED_MINUTES > tolerance


def test_the_day_has_each_kind_of_event(day):
    summary = day.summary()
    for kind in ("rejected_at_review", "held", "evaluations", "disputes", "gifts", "donations"):
        assert summary[kind] > 0, kind
    assert sum(s.assigned_by_station for s in day.services) > 0
    assert sum(s.confirmation == "app" for s in day.services) > 0


def test_only_services_whose_record_counts_are_evaluated(day):
    # demand refuses an evaluation before the record counts (409 not_recorded)
    assert all(s.credited for s in day.services if s.score is not None)


def test_gifts_and_donations_are_covered_by_what_the_giver_earned(day):
    earned = day.credited_minutes()
    given = Counter()
    for g in day.gifts:
        given[g.volunteer] += g.minutes
        assert day.elders[g.elder].station == day.volunteers[g.volunteer].station
        # a relative the volunteer served would flag the record (direct_relatives)
        assert all(s.elder != g.elder for s in day.services if s.volunteer == g.volunteer)
    for d in day.donations:
        given[d.volunteer] += d.minutes
    assert all(earned[v] >= minutes for v, minutes in given.items())
    assert day.credited_minutes() == {
        v.index: sum(s.minutes for s in day.services if s.volunteer == v.index and s.credited)
        for v in day.volunteers}


def test_a_day_smaller_than_the_province_is_refused():
    with pytest.raises(ValueError):
        DayPlan.at_scale(len(CITY_UNITS) - 1)
