"""How amounts and times read in a message: minutes as hours, windows in Beijing time.

Durations cross the platform as integer minutes; people read "1小时30分" / "1 h 30 min".
Times are stored in UTC and shown in China time (``timebank_common.clock.CHINA``, DESIGN.md §9).
"""
from __future__ import annotations

import datetime as dt

from timebank_common.clock import CHINA


def format_minutes(minutes: int, locale: str) -> str:
    """90 -> "1小时30分" (zh-CN) / "1 h 30 min" (en); 60 -> "1小时"; 45 -> "45分"."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(int(minutes)), 60)
    if locale == "zh-CN":
        parts = ([f"{hours}小时"] if hours else []) + ([f"{rest}分"] if rest or not hours else [])
        return sign + "".join(parts)
    parts = ([f"{hours} h"] if hours else []) + ([f"{rest} min"] if rest or not hours else [])
    return sign + " ".join(parts)


def parse_time(value: str | dt.datetime) -> dt.datetime:
    """An ISO 8601 time with offset (as events carry it) as an aware datetime."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"time without offset: {value!r}")
    return moment


def format_window(start: str | dt.datetime, end: str | dt.datetime, locale: str) -> str:
    """A service window in Beijing time, the date written once when both ends share it.

    zh-CN: "2025年5月1日 09:00–11:00"; en: "1 May 2025, 09:00–11:00 (Beijing time)".
    """
    start_local = parse_time(start).astimezone(CHINA)
    end_local = parse_time(end).astimezone(CHINA)
    same_day = start_local.date() == end_local.date()
    if locale == "zh-CN":
        first = f"{_date_zh(start_local)} {start_local:%H:%M}"
        last = f"{end_local:%H:%M}" if same_day else f"{_date_zh(end_local)} {end_local:%H:%M}"
        return f"{first}–{last}"
    first = f"{_date_en(start_local)}, {start_local:%H:%M}"
    last = f"{end_local:%H:%M}" if same_day else f"{_date_en(end_local)}, {end_local:%H:%M}"
    return f"{first}–{last} (Beijing time)"


def format_moment(moment: str | dt.datetime, locale: str) -> str:
    """A moment in Beijing time: "2025年5月1日 09:00" / "1 May 2025, 09:00 (Beijing time)"."""
    local = parse_time(moment).astimezone(CHINA)
    if locale == "zh-CN":
        return f"{_date_zh(local)} {local:%H:%M}"
    return f"{_date_en(local)}, {local:%H:%M} (Beijing time)"


def mask_name(name: str | None) -> str | None:
    """A person's name as a notice to staff shows it: the family name, the rest starred
    ("王秀英" -> "王**"); None when not known."""
    if not name:
        return None
    return name[0] + "*" * max(len(name) - 1, 1)


def format_date(moment: str | dt.datetime, locale: str) -> str:
    """The Beijing date of a moment: "2025年5月1日" / "1 May 2025"."""
    local = parse_time(moment).astimezone(CHINA)
    return _date_zh(local) if locale == "zh-CN" else _date_en(local)


def _date_zh(moment: dt.datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"


def _date_en(moment: dt.datetime) -> str:
    return f"{moment.day} {moment:%b} {moment.year}"
