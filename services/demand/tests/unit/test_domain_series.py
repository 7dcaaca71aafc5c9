"""Recurring demands: which dates, which windows (China dates, UTC+8, no daylight saving)."""
import datetime as dt

import pytest

from demand.domain.series import Recurrence, due_occurrences, window_of
from timebank_common.errors import BadInput

NINE = dt.time(9, 0)


def dates(rule, first, last):
    return list(rule.dates(first, last))


def test_weekly_on_given_weekdays_until_the_end_date_included():
    rule = Recurrence("weekly", dt.date(2026, 12, 1), dt.date(2026, 12, 16), weekdays=(1, 3))
    assert dates(rule, dt.date(2026, 11, 1), dt.date(2027, 1, 31)) == [
        dt.date(2026, 12, d) for d in (2, 7, 9, 14, 16)]  # Wed 2, Mon 7 … Wed 16 (the end)


def test_daily_and_every_n_days_count_from_the_start_date():
    daily = Recurrence("daily", dt.date(2026, 12, 30), dt.date(2027, 1, 2))
    assert dates(daily, dt.date(2026, 1, 1), dt.date(2027, 12, 31)) == [
        dt.date(2026, 12, 30), dt.date(2026, 12, 31), dt.date(2027, 1, 1), dt.date(2027, 1, 2)]
    every3 = Recurrence("every_n_days", dt.date(2026, 12, 1), dt.date(2026, 12, 31),
                        interval_days=3)
    # asked from the middle: still on the start date's rhythm (1, 4, 7, 10 …)
    assert dates(every3, dt.date(2026, 12, 8), dt.date(2026, 12, 14)) == [
        dt.date(2026, 12, 10), dt.date(2026, 12, 13)]


def test_window_is_china_time_all_year_round():
    # Asia/Shanghai has no daylight saving: 09:00 is 01:00 UTC in January and in July
    for day in (dt.date(2027, 1, 15), dt.date(2027, 7, 15), dt.date(2027, 3, 28)):
        start, end = window_of(day, NINE, 90)
        assert start == dt.datetime.combine(day, dt.time(1, 0), dt.UTC)
        assert end - start == dt.timedelta(minutes=90)
    # early morning China time is the previous day in UTC
    start, _ = window_of(dt.date(2027, 1, 1), dt.time(6, 30), 60)
    assert start == dt.datetime(2026, 12, 31, 22, 30, tzinfo=dt.UTC)


def test_due_occurrences_stay_on_the_horizon_and_skip_what_starts_too_soon():
    rule = Recurrence("daily", dt.date(2026, 11, 1), dt.date(2026, 12, 31))
    # 2026-12-01 08:30 China time
    now = dt.datetime(2026, 12, 1, 0, 30, tzinfo=dt.UTC)
    due = due_occurrences(rule, NINE, 60, now, horizon_days=3, lead=dt.timedelta(hours=1))
    # today's 09:00 starts in 30 minutes: too soon to review; then 2nd, 3rd, 4th
    assert [d for d, _, _ in due] == [dt.date(2026, 12, 2), dt.date(2026, 12, 3),
                                      dt.date(2026, 12, 4)]
    late = due_occurrences(rule, NINE, 60, dt.datetime(2026, 12, 30, tzinfo=dt.UTC), 14,
                           dt.timedelta(0))
    assert [d for d, _, _ in late] == [dt.date(2026, 12, 30), dt.date(2026, 12, 31)]


def test_today_is_the_china_date_not_the_utc_date():
    rule = Recurrence("daily", dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    # 2026-12-01 23:00 UTC is already 12-02 07:00 in China
    now = dt.datetime(2026, 12, 1, 23, 0, tzinfo=dt.UTC)
    due = due_occurrences(rule, NINE, 60, now, horizon_days=0, lead=dt.timedelta(0))
    assert [d for d, _, _ in due] == [dt.date(2026, 12, 2)]


@pytest.mark.parametrize("rule, code", [
    (Recurrence("monthly", dt.date(2026, 12, 1), dt.date(2026, 12, 31)), "frequency_invalid"),
    (Recurrence("daily", dt.date(2026, 12, 2), dt.date(2026, 12, 1)), "series_period_invalid"),
    (Recurrence("daily", dt.date(2026, 12, 1), dt.date(2028, 1, 1)), "series_too_long"),
    (Recurrence("weekly", dt.date(2026, 12, 1), dt.date(2026, 12, 31)), "weekdays_invalid"),
    (Recurrence("weekly", dt.date(2026, 12, 1), dt.date(2026, 12, 31), weekdays=(8,)),
     "weekdays_invalid"),
    (Recurrence("every_n_days", dt.date(2026, 12, 1), dt.date(2026, 12, 31), interval_days=0),
     "interval_invalid"),
    # Tuesday to Thursday, Sundays only: no occurrence at all
    (Recurrence("weekly", dt.date(2026, 12, 1), dt.date(2026, 12, 3), weekdays=(7,)),
     "series_empty"),
])
def test_rules_that_cannot_be_served_are_refused(rule, code):
    with pytest.raises(BadInput) as e:
        rule.problems()
    assert e.value.code == code
