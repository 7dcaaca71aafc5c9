"""Evidence rules: when a service record is flagged and HELD for a second look (item 6).

Each rule is a small pure function returning a ``Flag`` (machine code + zh/en text) or
None; ``flags_for`` runs them all. Any flag holds the record: it is not sent to the
ledger until a station/township reviewer releases it (or rejects it: no hours).

Thresholds are policy data per region (table ``evidence_policies``), resolved per value
with ``timebank_common.policies.resolve`` (province default, city/county overrides with
effective dates).
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from timebank_common.errors import BadInput
from timebank_common.policies import PolicyRow, resolve
from timebank_common.regions import CITY, COUNTY, PROVINCE, is_code, level_of

from .lifecycle import Location
from .rules import overlaps

THRESHOLD_KEYS = ("max_check_in_distance_m", "min_duration_ratio", "max_duration_ratio",
                  "daily_max_minutes", "presence_tolerance_minutes", "max_device_skew_minutes",
                  "max_check_out_distance_m", "window_tolerance_minutes",
                  "record_within_hours", "township_record_within_hours")
# DEMO VALUES (not an official policy): what migration 0004_record seeds for Hebei.
PROVINCE_DEFAULT = {
    "max_check_in_distance_m": 500,  # check-in this far (metres) from the demand's place
    "min_duration_ratio": 0.5,  # recorded minutes below half the expected ones
    "max_duration_ratio": 2.0,  # ... or above twice the expected ones
    "daily_max_minutes": 480,  # a volunteer's recorded minutes on one China date
    "presence_tolerance_minutes": 30,  # recorded minutes beyond check-in..out + this
    "max_device_skew_minutes": 10,  # the device's check-in/out time this far from the server's
    "max_check_out_distance_m": 500,  # check-out this far (metres) from the demand's place
    "window_tolerance_minutes": 30,  # checked in before the window or out after it, beyond this
    # recording timeliness (及时, domain/timeliness.py): not recorded this long after check-out
    "record_within_hours": 24,  # ... is reported to the station
    "township_record_within_hours": 48,  # ... then to the township
}
PROVINCE_CODE = "130000000000"
POLICY_LEVELS = (PROVINCE, CITY, COUNTY)
EARTH_RADIUS_M = 6_371_000


@dataclass(frozen=True)
class Flag:
    code: str
    zh: str
    en: str
    details: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "zh": self.zh, "en": self.en, "details": self.details}


@dataclass(frozen=True)
class Evidence:
    """What is known about one volunteer's service when the station records it."""

    minutes: int
    expected_minutes: int
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    check_in_location: Location | None
    demand_location: Location | None
    related: bool  # volunteer and elder are direct relatives (identity)
    # (record_id, checked_in_at, checked_out_at) of the volunteer's other records (the
    # repository reads only those whose check-in..out overlaps this one's)
    other_windows: tuple[tuple[str, dt.datetime | None, dt.datetime | None], ...] = ()
    minutes_that_day: int = 0  # the volunteer's other recorded minutes that China date
    check_out_location: Location | None = None
    # the times the volunteer's device sent (the checked_in/out times are the server's)
    check_in_device_at: dt.datetime | None = None
    check_out_device_at: dt.datetime | None = None
    window_start: dt.datetime | None = None
    window_end: dt.datetime | None = None


# --- thresholds -----------------------------------------------------------------------------
Limits = dict[str, Any]  # threshold key -> value


def thresholds_for(rows: list[PolicyRow], region_code: str, on_date: dt.date) -> Limits:
    """Each threshold in effect in ``region_code`` on ``on_date`` (a missing one: default)."""
    found = resolve(rows, THRESHOLD_KEYS, region_code, on_date)
    return {**PROVINCE_DEFAULT, **found.values}


def check_threshold_values(values: dict[str, Any]) -> dict[str, Any]:
    """Refuse unknown keys and values out of range; an empty row is refused too."""
    if not values:
        raise BadInput("policy_values_required", "请至少设置一项阈值",
                       "Set at least one threshold", {"keys": list(THRESHOLD_KEYS)})
    unknown = sorted(set(values) - set(THRESHOLD_KEYS))
    if unknown:
        raise BadInput("unknown_policy_key", "未知的阈值项", "Unknown threshold",
                       {"unknown": unknown, "keys": list(THRESHOLD_KEYS)})
    limits = {"max_check_in_distance_m": (10, 100_000), "min_duration_ratio": (0.0, 1.0),
              "max_duration_ratio": (1.0, 10.0), "daily_max_minutes": (30, 1440),
              "presence_tolerance_minutes": (0, 240), "max_device_skew_minutes": (1, 240),
              "max_check_out_distance_m": (10, 100_000), "window_tolerance_minutes": (0, 480),
              "record_within_hours": (1, 720), "township_record_within_hours": (1, 1440)}
    for key, value in values.items():
        low, high = limits[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not low <= value <= high:
            raise BadInput("policy_value_out_of_range", f"阈值 {key} 须在 {low} 到 {high} 之间",
                           f"{key} must be between {low} and {high}",
                           {"key": key, "value": value, "min": low, "max": high})
    return dict(values)


def check_policy_row(region_code: str, effective_from: dt.date, today: dt.date) -> None:
    if not is_code(region_code) or level_of(region_code) not in POLICY_LEVELS:
        raise BadInput("policy_level", "阈值只能按省、市或县（区）设置",
                       "Thresholds are set for a province, city or county",
                       {"region_code": region_code})
    if effective_from < today:
        raise BadInput("policy_in_past", "生效日期不能早于今天（已生效的规则不可追溯修改）",
                       "A row cannot take effect before today (applied rules are not rewritten)",
                       {"today": today.isoformat()})


# --- the rules, one each --------------------------------------------------------------------
def distance_m(a: Location, b: Location) -> float:
    """Great-circle (haversine) distance in metres between two ``{lat, lng}``."""
    lat1, lat2 = math.radians(a["lat"]), math.radians(b["lat"])
    dlat, dlng = lat2 - lat1, math.radians(b["lng"] - a["lng"])
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def no_presence(ev: Evidence, limits: Limits) -> Flag | None:
    if ev.checked_in_at is None or ev.checked_out_at is None:
        return Flag("no_presence_evidence", "没有签到/签退记录", "No check-in/check-out evidence",
                    {})
    return None


def far_from_place(ev: Evidence, limits: Limits) -> Flag | None:
    if not ev.check_in_location or not ev.demand_location:
        return None
    metres = distance_m(ev.check_in_location, ev.demand_location)
    limit = limits["max_check_in_distance_m"]
    if metres <= limit:
        return None
    return Flag("check_in_too_far", f"签到地点距服务地点约 {round(metres)} 米，超过 {limit} 米",
                f"Checked in about {round(metres)} m from the service place (limit {limit} m)",
                {"distance_m": round(metres), "limit_m": limit})


def duration_off(ev: Evidence, limits: Limits) -> Flag | None:
    ratio = ev.minutes / ev.expected_minutes
    low, high = limits["min_duration_ratio"], limits["max_duration_ratio"]
    if low <= ratio <= high:
        return None
    return Flag("duration_off_expected",
                f"记录时长 {ev.minutes} 分钟与预计的 {ev.expected_minutes} 分钟相差过大",
                f"{ev.minutes} recorded minutes are far from the {ev.expected_minutes} expected",
                {"ratio": round(ratio, 2), "min_ratio": low, "max_ratio": high})


def beyond_presence(ev: Evidence, limits: Limits) -> Flag | None:
    if ev.checked_in_at is None or ev.checked_out_at is None:
        return None
    present = (ev.checked_out_at - ev.checked_in_at).total_seconds() / 60
    tolerance = limits["presence_tolerance_minutes"]
    if ev.minutes <= present + tolerance:
        return None
    return Flag("minutes_exceed_presence", "记录时长超过签到至签退的时间",
                "The recorded minutes exceed the time between check-in and check-out",
                {"present_minutes": round(present), "tolerance_minutes": tolerance})


def overlapping_record(ev: Evidence, limits: Limits) -> Flag | None:
    if ev.checked_in_at is None or ev.checked_out_at is None:
        return None
    for record_id, start, end in ev.other_windows:
        if start and end and overlaps(ev.checked_in_at, ev.checked_out_at, start, end):
            return Flag("overlapping_record", "与该志愿者的另一条服务记录时间重叠",
                        "Overlaps another service record of the same volunteer",
                        {"record_id": str(record_id)})
    return None


def direct_relatives(ev: Evidence, limits: Limits) -> Flag | None:
    if not ev.related:
        return None
    return Flag("direct_relatives", "志愿者与老人是直系亲属",
                "The volunteer and the elder are direct relatives", {})


def daily_maximum(ev: Evidence, limits: Limits) -> Flag | None:
    total, limit = ev.minutes_that_day + ev.minutes, limits["daily_max_minutes"]
    if total <= limit:
        return None
    return Flag("daily_maximum_exceeded", f"该志愿者当日记录时长合计 {total} 分钟，超过 {limit} 分钟",
                f"The volunteer's recorded minutes that day total {total} (limit {limit})",
                {"day_minutes": total, "limit_minutes": limit})


def location_missing(ev: Evidence, limits: Limits) -> Flag | None:
    """A check-in or check-out sent without GPS: nothing shows where the service was."""
    missing = [step for step, at, where in (
        ("check_in", ev.checked_in_at, ev.check_in_location),
        ("check_out", ev.checked_out_at, ev.check_out_location)) if at and not where]
    if not missing:
        return None
    zh = "、".join({"check_in": "签到", "check_out": "签退"}[m] for m in missing)
    return Flag("location_missing", f"{zh}时没有定位信息",
                f"No location at {' and '.join(m.replace('_', '-') for m in missing)}",
                {"missing": missing})


def checkout_far(ev: Evidence, limits: Limits) -> Flag | None:
    if not ev.check_out_location or not ev.demand_location:
        return None
    metres = distance_m(ev.check_out_location, ev.demand_location)
    limit = limits["max_check_out_distance_m"]
    if metres <= limit:
        return None
    return Flag("checkout_far_from_address",
                f"签退地点距服务地点约 {round(metres)} 米，超过 {limit} 米",
                f"Checked out about {round(metres)} m from the service place (limit {limit} m)",
                {"distance_m": round(metres), "limit_m": limit})


def device_time_skewed(ev: Evidence, limits: Limits) -> Flag | None:
    """The time the app sent differs from the server's (a backdated or wrong device clock)."""
    limit = limits["max_device_skew_minutes"]
    skews = {}
    for step, server, device in (("check_in", ev.checked_in_at, ev.check_in_device_at),
                                 ("check_out", ev.checked_out_at, ev.check_out_device_at)):
        if server is not None and device is not None:
            minutes = round((device - server).total_seconds() / 60)
            if abs(minutes) > limit:
                skews[f"{step}_skew_minutes"] = minutes
    if not skews:
        return None
    return Flag("device_time_skewed", f"手机上报的签到/签退时间与服务器时间相差超过 {limit} 分钟",
                f"The device's check-in/out time differs from the server's by more than"
                f" {limit} minutes", {**skews, "limit_minutes": limit})


def presence_outside_window(ev: Evidence, limits: Limits) -> Flag | None:
    """Checked in before the window starts or out after it ends, beyond the tolerance."""
    if ev.window_start is None or ev.window_end is None:
        return None
    tolerance = dt.timedelta(minutes=limits["window_tolerance_minutes"])
    early = ev.checked_in_at is not None and ev.checked_in_at < ev.window_start - tolerance
    late = ev.checked_out_at is not None and ev.checked_out_at > ev.window_end + tolerance
    if not early and not late:
        return None
    details: dict[str, Any] = {"window_start": ev.window_start.isoformat(),
                               "window_end": ev.window_end.isoformat(),
                               "tolerance_minutes": limits["window_tolerance_minutes"]}
    if early and ev.checked_in_at is not None:
        details["minutes_before_start"] = round(
            (ev.window_start - ev.checked_in_at).total_seconds() / 60)
    if late and ev.checked_out_at is not None:
        details["minutes_after_end"] = round(
            (ev.checked_out_at - ev.window_end).total_seconds() / 60)
    return Flag("presence_outside_window", "签到早于服务时段开始或签退晚于服务时段结束",
                "Checked in before the service window or out after it", details)


RULES: tuple[Callable[[Evidence, Limits], Flag | None], ...] = (
    no_presence, far_from_place, duration_off, beyond_presence, overlapping_record,
    direct_relatives, daily_maximum, location_missing, checkout_far, device_time_skewed,
    presence_outside_window)


def flags_for(ev: Evidence, limits: Limits) -> list[Flag]:
    """Every flag the evidence raises; an empty list means the record is not held."""
    return [flag for rule in RULES if (flag := rule(ev, limits)) is not None]
