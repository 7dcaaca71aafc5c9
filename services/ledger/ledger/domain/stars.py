"""Star levels of the national volunteer-record rules (全国志愿服务信息系统 星级认定):
cumulative service hours of 100, 300, 600, 1,000 and 1,500 make one to five stars.

Thresholds are configuration (``STAR_THRESHOLDS_HOURS`` in deploy/config/ledger.yaml), given
in hours, ascending; time is counted in integer minutes. A level is reached when the
cumulative minutes are **at least** the threshold (100 h = 6,000 min is one star).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from timebank_common.errors import BadInput

DEFAULT_THRESHOLDS_HOURS = (100, 300, 600, 1000, 1500)


def thresholds_from_config(value: Iterable[Any] | None) -> tuple[int, ...]:
    """The configured hours, checked: positive integers, strictly ascending."""
    hours = tuple(int(h) for h in (value or DEFAULT_THRESHOLDS_HOURS))
    if not hours or any(h <= 0 for h in hours) or list(hours) != sorted(set(hours)):
        raise BadInput("star_thresholds_invalid", "星级门槛配置须为递增的正整数小时数",
                       "Star thresholds must be positive hours in ascending order",
                       {"thresholds": list(hours)})
    return hours


def star_level(minutes: int, thresholds: Sequence[int] = DEFAULT_THRESHOLDS_HOURS) -> int:
    """0 (no star) to ``len(thresholds)``."""
    return sum(1 for hours in thresholds if minutes >= hours * 60)


def next_star(minutes: int, thresholds: Sequence[int] = DEFAULT_THRESHOLDS_HOURS
              ) -> dict[str, Any] | None:
    """The next level and the minutes still missing; None at the top level."""
    level = star_level(minutes, thresholds)
    if level >= len(thresholds):
        return None
    needed = thresholds[level] * 60
    return {"level": level + 1, "threshold_hours": thresholds[level],
            "minutes_to_go": needed - minutes}


@dataclass(frozen=True)
class Crossing:
    level: int
    cumulative_minutes: int  # right after the credit that crossed
    transfer_id: str


def crossings(before_minutes: int, credits: Iterable[tuple[str, int]],
              thresholds: Sequence[int] = DEFAULT_THRESHOLDS_HOURS) -> list[Crossing]:
    """Levels crossed by ``credits`` (``(transfer_id, minutes)`` in posting order) starting
    from ``before_minutes``: each level once, named by the credit that reached it (several
    levels may be crossed by one credit; a batch of credits crosses each level once).

    Whether a level was reached before (and lost again by a reversal) is not known here: the
    ``milestones`` table keeps each (person, level) once, so a re-crossing is not told again.
    """
    out: list[Crossing] = []
    total = before_minutes
    for transfer_id, minutes in credits:
        was = star_level(total, thresholds)
        total += minutes
        out.extend(Crossing(level, total, transfer_id)
                   for level in range(was + 1, star_level(total, thresholds) + 1))
    return out
