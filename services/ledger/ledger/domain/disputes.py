"""Dispute outcomes → reversals of a service credit (DESIGN.md §6: the only correction is a
new ``reversal`` entry mirroring the old one, with reason and approver).

* ``upheld`` — the service record stands: nothing moves;
* ``minutes_adjusted`` — ``minutes`` is the corrected credit: the difference to what was
  credited is reversed (an upward correction is a new service record, not a dispute
  outcome: refused);
* ``voided`` — the whole remaining credit is reversed. A yearly-cap excess already routed
  to the donation pool stays there (it may have been allocated since).

Idempotent by dispute id: the reversal id is ``dispute:<dispute_id>``.
"""
from __future__ import annotations

from timebank_common.errors import RuleViolation

from ..contracts.kinds import UPHELD, VOIDED_OUTCOME
from .transfers import derived_id


def reversal_id(dispute_id: str) -> str:
    return derived_id("dispute", dispute_id)


def reversal_minutes(outcome: str, credited: int, minutes: int | None) -> int | None:
    """How much of a credit of ``credited`` minutes the outcome reverses (None: nothing)."""
    if outcome == UPHELD:
        return None
    if outcome == VOIDED_OUTCOME:
        return credited
    if minutes is None or minutes < 0:
        raise RuleViolation("adjusted_minutes_missing", "调整时长的裁决须给出调整后的分钟数",
                            "An adjustment needs the corrected minutes")
    if minutes > credited:
        raise RuleViolation("adjustment_exceeds_credit",
                            "调整后的时长不能多于已记入的时长（增加时长须新建服务记录）",
                            "The corrected minutes cannot exceed the credit (more time is a new"
                            " service record)", {"credited_minutes": credited, "minutes": minutes})
    return credited - minutes or None
