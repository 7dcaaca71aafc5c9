"""Professional qualifications (资质) a volunteer needs for professional services.

A qualification is submitted (pending), verified or rejected by staff (``review``,
four-eyes), and counts only while verified and not past its ``valid_until`` (valid on
that day itself).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from ..contracts import QUALIFICATION_KINDS
from .review import VERIFIED

_REASONS = {
    "already_expired": ("资质证书已过有效期，不能登记", "The qualification has already expired"),
}


class QualificationRefused(ValueError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.zh, self.en = _REASONS[reason]
        super().__init__(f"{reason}: {self.en}")


def kind_names(kind: str) -> dict[str, str]:
    zh, en = QUALIFICATION_KINDS.get(kind, (kind, kind))
    return {"zh": zh, "en": en}


def is_valid(status: str, valid_until: dt.date, today: dt.date) -> bool:
    return status == VERIFIED and valid_until >= today


def check_new(valid_until: dt.date, today: dt.date) -> None:
    if valid_until < today:
        raise QualificationRefused("already_expired")


def valid_kinds(rows: Iterable[Mapping[str, Any]], today: dt.date) -> list[str]:
    """The kinds held validly today (``rows``: mappings with kind, status, valid_until)."""
    kinds = {r["kind"] for r in rows if is_valid(r["status"], r["valid_until"], today)}
    return [k for k in QUALIFICATION_KINDS if k in kinds]

