import datetime as dt

from timebank_common.periods import day_bounds
from timebank_common.regions import child_of


def test_a_period_of_china_dates_in_utc_includes_both_days():
    start, end = day_bounds(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert start == dt.datetime(2026, 10, 31, 16, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC)
    assert day_bounds(None, None) == (None, None)


def test_child_of_is_one_level_down_inside_the_scope():
    assert child_of("130000000000", "130102001001") == "130100000000"
    assert child_of("130100000000", "130102001001") == "130102000000"
    assert child_of("130102000000", "130102001001") == "130102001000"
    assert child_of("130102001000", "130102001001") == "130102001001"
    assert child_of("130102001001", "130102001001") is None
    assert child_of("130200000000", "130102001001") is None
