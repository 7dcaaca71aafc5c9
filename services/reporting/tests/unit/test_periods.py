"""Period bucketing of China days and the 90-day active-volunteer window."""
import datetime as dt
import random

import pytest

from reporting.domain.periods import active_on, activity_changes, buckets, newly_active, window

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


def incremental_counts(served, days):
    """Active counts from ``newly_active`` applied service by service, in the given order."""
    changes, seen = {}, {}
    for volunteer, day in served:
        others = seen.setdefault(volunteer, set())
        previous = max((d for d in others if d <= day), default=None)
        following = min((d for d in others if d > day), default=None)
        span = newly_active(day, previous, following)
        others.add(day)
        if span:
            changes[span[0]] = changes.get(span[0], 0) + 1
            changes[span[1]] = changes.get(span[1], 0) - 1
    return [sum(v for d, v in changes.items() if d <= day) for day in days]


def test_changes_applied_in_any_order_give_the_90_day_definition():
    rng = random.Random(16)
    start = D(2026, 1, 1)
    for _ in range(30):
        served = [(f"v{rng.randrange(5)}", start + dt.timedelta(days=rng.randrange(400)))
                  for _ in range(rng.randrange(1, 40))]
        days = [start + dt.timedelta(days=n) for n in range(0, 520, 7)]
        expected = [active_on(day, served) for day in days]
        assert incremental_counts(served, days) == expected
        rng.shuffle(served)
        assert incremental_counts(served, days) == expected


def test_a_second_service_within_the_window_extends_the_activity():
    day = D(2026, 3, 1)
    assert newly_active(day, None, None) == (day, day + dt.timedelta(days=90))
    assert newly_active(day, day - dt.timedelta(days=10), None) == (
        day + dt.timedelta(days=80), day + dt.timedelta(days=90))
    assert newly_active(day, day, None) is None  # the same day elsewhere in the region
    assert newly_active(day, None, day + dt.timedelta(days=30)) == (
        day, day + dt.timedelta(days=30))


def test_a_service_elsewhere_in_the_county_keeps_the_county_active_but_starts_the_township():
    day = D(2026, 3, 1)
    earlier = [("130102002001", day - dt.timedelta(days=10))]  # another township, same county
    changes = {(prefix, when): change for prefix, _, when, change
               in activity_changes("130102001001", day, earlier)}
    end = day + dt.timedelta(days=90)
    assert changes[("130102", end - dt.timedelta(days=10))] == 1  # only the extension
    assert changes[("130102001", day)] == 1 and changes[("130102001", end)] == -1
    assert ("130102", day) not in changes
