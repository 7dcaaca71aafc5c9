"""Phone calls a station owes an elder without a smartphone, and what came of them.

``reached`` and ``wrong_number`` close the task; ``no_answer`` and ``callback`` keep it open
for another try (the operator sees the attempts made).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..contracts import CALL_OUTCOMES, CALL_TASK_STATUSES

CLOSING = {"reached", "wrong_number"}
OPEN, DONE = CALL_TASK_STATUSES
DECEASED = "deceased"
"""The outcome of a task notify closed itself because identity recorded the elder's death."""
DECEASED_NOTE = "老人已故，电话任务关闭 / The elder has died; the call is no longer owed"


def status_after(outcome: str) -> str:
    if outcome not in CALL_OUTCOMES:
        raise ValueError(f"unknown call outcome {outcome!r}")
    return DONE if outcome in CLOSING else OPEN


def call_script(elder_name: str, body_zh: str, phone: str | None) -> str:
    """What the operator reads: "请致电王秀英（138…）：明天9:00，志愿者李明将上门"."""
    number = f"（{phone}）" if phone else ""
    return f"请致电{elder_name}{number}：{body_zh}"


# A station's time is short: a phone-only elder is called about what changes their day —
# who comes and when, a cancellation or change, a missed visit, the day-before reminder,
# hours they received, a dispute's outcome, a record waiting for their confirmation — not
# about every record or statistic.
CALL_WORTHY = {"demand_assigned", "demand_cancelled", "assignment_withdrawn",
               "assignment_no_show", "hours_given", "dispute_resolved",
               "record_confirmation_overdue"}


def worth_a_call(kind: str, data: Mapping[str, Any]) -> bool:
    if kind == "service_reminder":
        return data.get("lead") == "24h"
    return kind in CALL_WORTHY
