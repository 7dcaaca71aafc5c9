"""Reviewing a submitted record (a hardship category, a relative link): who may decide, and how.

Rules (the same for every reviewed record):
- only ``pending`` records are decided; a verified or rejected one stays as it is
  (a rejected hardship category may be submitted again, which makes it pending anew);
- the decision is ``verify`` or ``reject``, and a rejection gives a reason;
- four-eyes: the reviewer is never the submitter, whatever their level (a province admin
  included): a verified hardship category makes the ledger issue free grant hours, a verified
  qualification opens professional services and a verified link allows gifts of hours, so
  every such decision needs a second person;
- nobody decides a record about themself (their own qualification, hardship category or
  relative link), whatever their role.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..contracts import REVIEW_DECISIONS, REVIEW_STATUSES

PENDING, VERIFIED, REJECTED = REVIEW_STATUSES

_REASONS = {
    "not_pending": ("该记录已审核，不能再次审核", "This record has already been decided"),
    "unknown_decision": ("审核结论应为通过（verify）或驳回（reject）",
                         "The decision is verify or reject"),
    "reason_required": ("驳回须说明理由", "A rejection needs a reason"),
    "four_eyes": ("提交人不能审核自己提交的记录，请由另一名工作人员审核",
                  "The submitter may not verify their own submission; another staff member must"),
    "own_record": ("不能审核与本人有关的记录，请由另一名工作人员审核",
                   "You may not decide a record about yourself; another staff member must"),
}


class ReviewRefused(ValueError):
    """Why a decision is refused, in both languages."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.zh, self.en = _REASONS[reason]
        super().__init__(f"{reason}: {self.en}")


@dataclass(frozen=True)
class Reviewer:
    person_id: str | None
    roles: tuple[str, ...]


def decide(status: str, decision: str, reason: str | None, submitted_by: object,
           reviewer: Reviewer, about: Iterable[object] = ()) -> str:
    """The new status of a record, or ``ReviewRefused``; ``about``: the persons the record
    is about (the reviewer may not be one of them)."""
    if reviewer.person_id and str(reviewer.person_id) in {str(p) for p in about}:
        raise ReviewRefused("own_record")
    if status != PENDING:
        raise ReviewRefused("not_pending")
    if decision not in REVIEW_DECISIONS:
        raise ReviewRefused("unknown_decision")
    if decision == "reject" and not (reason or "").strip():
        raise ReviewRefused("reason_required")
    same_person = submitted_by is not None and str(submitted_by) == str(reviewer.person_id)
    if same_person:
        raise ReviewRefused("four_eyes")
    return REVIEW_DECISIONS[decision]
