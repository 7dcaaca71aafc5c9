import pytest

from ledger.domain.stars import (
    DEFAULT_THRESHOLDS_HOURS,
    Crossing,
    crossings,
    next_star,
    star_level,
    thresholds_from_config,
)
from timebank_common.errors import BadInput


@pytest.mark.parametrize(("hours", "level"), [
    (0, 0), (99, 0), (100, 1), (299, 1), (300, 2), (599, 2), (600, 3), (999, 3), (1000, 4),
    (1499, 4), (1500, 5), (9000, 5)])
def test_star_levels_at_the_national_thresholds(hours, level):
    assert star_level(hours * 60, DEFAULT_THRESHOLDS_HOURS) == level


def test_one_minute_short_of_a_threshold_is_not_the_star():
    assert star_level(100 * 60 - 1) == 0
    assert star_level(1500 * 60 - 1) == 4


def test_next_star_says_how_long_to_go():
    assert next_star(0) == {"level": 1, "threshold_hours": 100, "minutes_to_go": 6000}
    assert next_star(6000) == {"level": 2, "threshold_hours": 300, "minutes_to_go": 12000}
    assert next_star(1500 * 60) is None


def test_thresholds_come_from_configuration():
    assert thresholds_from_config(None) == DEFAULT_THRESHOLDS_HOURS
    assert star_level(50 * 60, thresholds_from_config([50, 80])) == 1
    for bad in ([100, 100], [300, 100], [0, 100]):
        with pytest.raises(BadInput):
            thresholds_from_config(bad)


def test_a_batch_crosses_each_level_once_named_by_the_credit_that_reached_it():
    before = 99 * 60
    got = crossings(before, [("a", 30), ("b", 30), ("c", 60)])
    assert got == [Crossing(1, 100 * 60, "b")]


def test_one_big_credit_crosses_several_levels():
    assert crossings(0, [("a", 300 * 60)]) == [Crossing(1, 18000, "a"), Crossing(2, 18000, "a")]


def test_nothing_crossed_below_or_above_a_threshold():
    assert crossings(0, [("a", 60)]) == []
    assert crossings(100 * 60, [("a", 60)]) == []  # already at one star
