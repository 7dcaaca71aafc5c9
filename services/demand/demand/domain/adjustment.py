"""Adjusting a demand's content after the station talked to the elder (核实后调整).

Allowed while the demand waits for review (``submitted``) — or at review, in the same
command. Every changed field becomes one history entry (field, before, after) sharing the
operator's mandatory reason; a change that changes nothing is refused.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.errors import BadInput

from ..contracts.enums import SUBMITTED
from .lifecycle import Demand, invalid_transition

ADJUSTABLE = ("description", "address", "location", "window_start", "window_end",
              "expected_minutes", "volunteers_needed", "category")


def _shown(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return value


def require_adjustable(demand: Demand) -> None:
    if demand.status != SUBMITTED:
        raise invalid_transition("adjust", demand.status)


def require_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise BadInput("reason_required", "调整需求内容须说明原因",
                       "Adjusting a demand needs a reason")
    return reason


def changes_between(demand: Demand, proposed: dict[str, Any]) -> list[dict[str, Any]]:
    """``[{field, before, after}]`` for each proposed field that differs (JSON-ready values)."""
    out = []
    for name in ADJUSTABLE:
        if name not in proposed:
            continue
        before, after = getattr(demand, name), proposed[name]
        if before != after:
            out.append({"field": name, "before": _shown(before), "after": _shown(after)})
    return out


def apply(demand: Demand, proposed: dict[str, Any]) -> Demand:
    """A copy-free update of ``demand`` with the proposed fields (after validation)."""
    for name in ADJUSTABLE:
        if name in proposed:
            setattr(demand, name, proposed[name])
    return demand


def require_some_change(changes: list[dict[str, Any]]) -> None:
    if not changes:
        raise BadInput("nothing_changed", "调整内容与原需求相同", "The adjustment changes nothing")
