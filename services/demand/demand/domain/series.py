"""Recurring demands (周期性需求): which China dates a series has an occurrence on.

A rule is ``daily``, ``weekly`` on given ISO weekdays (1 = Monday … 7 = Sunday) or
``every_n_days`` counted from the start date. Dates are calendar dates in Asia/Shanghai
(UTC+8, no daylight saving), so an occurrence's window is simply that date plus the
series' time of day at +08:00.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from timebank_common.clock import CHINA, china_date
from timebank_common.errors import BadInput

from ..contracts.enums import FREQUENCIES

MAX_SPAN_DAYS = 366  # a series runs at most a year; the elder asks again after that
MAX_INTERVAL_DAYS = 90


@dataclass(frozen=True)
class Recurrence:
    frequency: str
    start_date: dt.date
    end_date: dt.date
    weekdays: tuple[int, ...] = ()
    interval_days: int = 1

    def problems(self) -> None:
        """Refuse a rule that names no date or runs too long."""
        if self.frequency not in FREQUENCIES:
            raise BadInput("frequency_invalid", "重复方式须为 daily、weekly 或 every_n_days",
                           "frequency must be daily, weekly or every_n_days",
                           {"frequency": self.frequency})
        if self.end_date < self.start_date:
            raise BadInput("series_period_invalid", "结束日期早于开始日期",
                           "The series ends before it starts")
        if (self.end_date - self.start_date).days > MAX_SPAN_DAYS:
            raise BadInput("series_too_long", f"周期性需求最长 {MAX_SPAN_DAYS} 天",
                           f"A series may run at most {MAX_SPAN_DAYS} days",
                           {"max_days": MAX_SPAN_DAYS})
        if self.frequency == "weekly" and (
                not self.weekdays or any(d not in range(1, 8) for d in self.weekdays)):
            raise BadInput("weekdays_invalid", "每周重复须指定星期几（1=周一 … 7=周日）",
                           "A weekly series names its weekdays (1=Monday … 7=Sunday)",
                           {"weekdays": list(self.weekdays)})
        if self.frequency == "every_n_days" and not 1 <= self.interval_days <= MAX_INTERVAL_DAYS:
            raise BadInput("interval_invalid", f"间隔天数须在 1 到 {MAX_INTERVAL_DAYS} 之间",
                           f"interval_days must be between 1 and {MAX_INTERVAL_DAYS}",
                           {"interval_days": self.interval_days})
        if not any(True for _ in self.dates(self.start_date, self.end_date)):
            raise BadInput("series_empty", "按此规则在起止日期内没有任何一次服务",
                           "This rule gives no occurrence between the start and end dates")

    def falls_on(self, day: dt.date) -> bool:
        if not self.start_date <= day <= self.end_date:
            return False
        if self.frequency == "daily":
            return True
        if self.frequency == "weekly":
            return day.isoweekday() in self.weekdays
        return (day - self.start_date).days % self.interval_days == 0

    def dates(self, first: dt.date, last: dt.date) -> Iterator[dt.date]:
        """Occurrence dates in ``[first, last]`` (clipped to the series' own period)."""
        day, last = max(first, self.start_date), min(last, self.end_date)
        while day <= last:
            if self.falls_on(day):
                yield day
            day += dt.timedelta(days=1)


def window_of(day: dt.date, time_of_day: dt.time, window_minutes: int
              ) -> tuple[dt.datetime, dt.datetime]:
    """The occurrence's window in UTC: ``day`` at ``time_of_day`` China time."""
    start = dt.datetime.combine(day, time_of_day, CHINA).astimezone(dt.UTC)
    return start, start + dt.timedelta(minutes=window_minutes)


def due_occurrences(rule: Recurrence, time_of_day: dt.time, window_minutes: int,
                    now: dt.datetime, horizon_days: int, lead: dt.timedelta
                    ) -> list[tuple[dt.date, dt.datetime, dt.datetime]]:
    """(date, window_start, window_end) of occurrences to exist by now: from today (China)
    to ``horizon_days`` ahead, whose window starts at least ``lead`` after ``now`` (an
    occurrence that would start too soon to be reviewed and served is not created)."""
    today = china_date(now)
    out = []
    for day in rule.dates(today, today + dt.timedelta(days=horizon_days)):
        start, end = window_of(day, time_of_day, window_minutes)
        if start >= now + lead:
            out.append((day, start, end))
    return out
