"""Integer minutes shown to people: ``90`` -> ``1小时30分`` / ``1 h 30 min``."""
from __future__ import annotations


def _parts(minutes: int) -> tuple[str, int, int]:
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return sign, hours, rest


def minutes_zh(minutes: int) -> str:
    sign, hours, rest = _parts(minutes)
    if hours and rest:
        return f"{sign}{hours}小时{rest}分"
    if hours:
        return f"{sign}{hours}小时"
    return f"{sign}{rest}分"


def minutes_en(minutes: int) -> str:
    sign, hours, rest = _parts(minutes)
    if hours and rest:
        return f"{sign}{hours} h {rest} min"
    if hours:
        return f"{sign}{hours} h"
    return f"{sign}{rest} min"


def minutes_display(minutes: int) -> str:
    """Both languages, Chinese first: ``1小时30分 / 1 h 30 min``."""
    return f"{minutes_zh(minutes)} / {minutes_en(minutes)}"
