"""Rules a demand's figures must satisfy: windows, minutes, slots, overlaps (evidence flags:
``evidence.py``)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from timebank_common.errors import BadInput, Conflict, RuleViolation

from ..contracts.enums import LATEST_START_DAYS, LONGEST_WINDOW_HOURS

EXPECTED_MINUTES = (15, 480)
VOLUNTEERS_NEEDED = (1, 50)
RECORDED_MINUTES = (1, 720)


def _in_range(value: int, bounds: tuple[int, int], code: str, zh: str, en: str) -> None:
    low, high = bounds
    if not low <= value <= high:
        raise BadInput(code, f"{zh}须在 {low} 到 {high} 之间", f"{en} must be between {low} and {high}",
                       {"value": value, "min": low, "max": high})


def validate_series_start(start_date: dt.date, today: dt.date) -> None:
    """A recurring demand starts within the same horizon as a single one."""
    if start_date > today + dt.timedelta(days=LATEST_START_DAYS):
        raise BadInput("window_too_far_ahead", f"周期性需求最晚在 {LATEST_START_DAYS} 天后开始",
                       f"A series starts at most {LATEST_START_DAYS} days ahead",
                       {"max_days": LATEST_START_DAYS})


def validate_new_demand(window_start: dt.datetime, window_end: dt.datetime,
                        expected_minutes: int, volunteers_needed: int, now: dt.datetime) -> None:
    """Refuse a demand whose window or figures cannot be served."""
    _in_range(expected_minutes, EXPECTED_MINUTES, "expected_minutes_out_of_range",
              "预计服务时长（分钟）", "expected_minutes")
    _in_range(volunteers_needed, VOLUNTEERS_NEEDED, "volunteers_needed_out_of_range",
              "所需志愿者人数", "volunteers_needed")
    if window_end <= window_start:
        raise BadInput("window_invalid", "服务时段的结束时间必须晚于开始时间",
                       "The service window must end after it starts")
    if window_start <= now:
        raise BadInput("window_in_past", "服务时段必须在将来",
                       "The service window must start in the future",
                       {"now": now.isoformat()})
    if window_start > now + dt.timedelta(days=LATEST_START_DAYS):
        raise BadInput("window_too_far_ahead", f"服务时段最晚在 {LATEST_START_DAYS} 天后开始",
                       f"The service window starts at most {LATEST_START_DAYS} days ahead",
                       {"max_days": LATEST_START_DAYS})
    if window_end - window_start > dt.timedelta(hours=LONGEST_WINDOW_HOURS):
        raise BadInput("window_too_long", f"服务时段不能超过 {LONGEST_WINDOW_HOURS} 小时",
                       f"The service window lasts at most {LONGEST_WINDOW_HOURS} hours",
                       {"max_hours": LONGEST_WINDOW_HOURS})
    if (window_end - window_start) < dt.timedelta(minutes=expected_minutes):
        raise BadInput("window_too_short", "服务时段短于预计服务时长",
                       "The service window is shorter than the expected minutes",
                       {"expected_minutes": expected_minutes})


CLOCK_TOLERANCE = dt.timedelta(minutes=5)  # a device or a station clock running a little fast


def validate_confirmed_at(confirmed_at: dt.datetime | None, now: dt.datetime) -> None:
    """A confirmation taken by phone happened already: never later than now (give or take
    ``CLOCK_TOLERANCE``)."""
    if confirmed_at is not None and confirmed_at > now + CLOCK_TOLERANCE:
        raise BadInput("confirmed_in_future", "确认时间不能晚于当前时间",
                       "The confirmation time cannot be in the future",
                       {"confirmed_at": confirmed_at.isoformat(), "now": now.isoformat()})


def validate_recorded_minutes(minutes: int) -> None:
    _in_range(minutes, RECORDED_MINUTES, "minutes_out_of_range", "记录的服务时长（分钟）",
              "Recorded minutes")


def overlaps(a_start: dt.datetime, a_end: dt.datetime,
             b_start: dt.datetime, b_end: dt.datetime) -> bool:
    """Half-open windows [start, end) share some time."""
    return a_start < b_end and b_start < a_end


def refuse_duplicate(window_start: dt.datetime, window_end: dt.datetime,
                     existing: Iterable[Sequence[Any]]) -> None:
    """``existing``: (demand_id, window_start, window_end) of the elder's live demands
    in the same category. Refuse if one overlaps the new window."""
    for demand_id, start, end in existing:
        if overlaps(window_start, window_end, start, end):
            raise Conflict("duplicate_demand", "该老人在此时段已有同类需求",
                           "This elder already has a demand of this category in this window",
                           {"demand_id": str(demand_id)})


def refuse_overlap(window_start: dt.datetime, window_end: dt.datetime,
                   held: Iterable[Sequence[Any]]) -> None:
    """``held``: (demand_id, window_start, window_end) of the volunteer's active assignments."""
    for demand_id, start, end in held:
        if overlaps(window_start, window_end, start, end):
            raise RuleViolation("overlapping_assignment", "您在该时段已承接其他服务",
                                "You already hold a service that overlaps this window",
                                {"demand_id": str(demand_id)})

