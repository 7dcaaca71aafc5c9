"""Period bucketing of China days and the 90-day active-volunteer window."""
import datetime as dt

import pytest

from reporting.domain.periods import active_on, buckets, window

D = dt.date


@pytest.mark.parametrize("period, expected", [
    ("day", [("2026-12-30", D(2026, 12, 30), D(2026, 12, 30)),
             ("2026-12-31", D(2026, 12, 31), D(2026, 12, 31)),
             ("2027-01-01", D(2027, 1, 1), D(2027, 1, 1))]),
    # 2026-12-28 is a Monday; ISO week 53 of 2026
    ("week", [("2026-W53", D(2026, 12, 30), D(2027, 1, 1))]),
    ("month", [("2026-12", D(2026, 12, 30), D(2026, 12, 31)),
               ("2027-01", D(2027, 1, 1), D(2027, 1, 1))]),
    ("quarter", [("2026-Q4", D(2026, 12, 30), D(2026, 12, 31)),
                 ("2027-Q1", D(2027, 1, 1), D(2027, 1, 1))]),
    ("year", [("2026", D(2026, 12, 30), D(2026, 12, 31)), ("2027", D(2027, 1, 1),
                                                           D(2027, 1, 1))]),
])
def test_periods_are_clipped_to_the_query(period, expected):
    assert buckets(D(2026, 12, 30), D(2027, 1, 1), period) == expected


def test_a_year_of_months_and_weeks_start_on_monday():
    months = buckets(D(2026, 1, 1), D(2026, 12, 31), "month")
    assert [m[0] for m in months] == [f"2026-{n:02d}" for n in range(1, 13)]
    assert months[1][2] == D(2026, 2, 28)
    weeks = buckets(D(2026, 12, 2), D(2026, 12, 16), "week")
    assert [(w[1], w[2]) for w in weeks] == [
        (D(2026, 12, 2), D(2026, 12, 6)), (D(2026, 12, 7), D(2026, 12, 13)),
        (D(2026, 12, 14), D(2026, 12, 16))]


def test_active_means_served_in_the_90_days_up_to_the_day():
    assert window(D(2026, 12, 31)) == (D(2026, 10, 3), D(2026, 12, 31))
    served = [("a", D(2026, 10, 3)), ("b", D(2026, 10, 2)), ("a", D(2026, 12, 1)),
              ("c", D(2027, 1, 1))]
    assert active_on(D(2026, 12, 31), served) == 1  # a (twice); b too early, c after
    assert active_on(D(2026, 12, 30), served) == 2  # a and b (10-02 is within 90 days)
    assert active_on(D(2027, 1, 1), served) == 2  # a and c
