"""Professional qualifications (资质) a volunteer needs for professional services.

A qualification is submitted (pending), verified or rejected by staff (``review``,
four-eyes), and counts only while verified and not past its ``valid_until`` (valid on
that day itself).
"""
from __future__ import annotations

import datetime as dt

from .review import VERIFIED

KINDS: dict[str, tuple[str, str]] = {
    "lawyer": ("律师", "Lawyer"),
    "social_worker": ("社会工作者", "Social worker"),
    "physician": ("执业医师", "Physician"),
    "nurse": ("护士", "Nurse"),
    "psychological_counsellor": ("心理咨询师", "Psychological counsellor"),
    "elderly_care_worker": ("养老护理员", "Elderly care worker"),
}

_REASONS = {
    "already_expired": ("资质证书已过有效期，不能登记", "The qualification has already expired"),
}


class QualificationRefused(ValueError):
    def __init__(self, reason: str):
        self.reason = reason
        self.zh, self.en = _REASONS[reason]
        super().__init__(f"{reason}: {self.en}")


def kind_names(kind: str) -> dict:
    zh, en = KINDS.get(kind, (kind, kind))
    return {"zh": zh, "en": en}


def is_valid(status: str, valid_until: dt.date, today: dt.date) -> bool:
    return status == VERIFIED and valid_until >= today


def check_new(valid_until: dt.date, today: dt.date) -> None:
    if valid_until < today:
        raise QualificationRefused("already_expired")


def valid_kinds(rows, today: dt.date) -> list[str]:
    """The kinds held validly today (``rows``: mappings with kind, status, valid_until)."""
    kinds = {r["kind"] for r in rows if is_valid(r["status"], r["valid_until"], today)}
    return [k for k in KINDS if k in kinds]

