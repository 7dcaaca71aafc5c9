"""Priority elders (优先/困难老人): hardship categories, and the one derived from age.

``advanced_age`` (高龄, 80+) is never typed in: it follows from the birth date in the
ID number. Every other category is submitted by staff with evidence and verified
(see ``review``).
"""
from __future__ import annotations

import datetime as dt

from ..contracts import ADVANCED_AGE, HARDSHIP_CATEGORIES
from .review import PENDING, VERIFIED

ADVANCED_AGE_MIN = 80
REVOKED = "revoked"  # a verified category withdrawn (it may be submitted again)
EVIDENCE_MAX = 2000
SUBMITTABLE = tuple(code for code in HARDSHIP_CATEGORIES if code != ADVANCED_AGE)

_REASONS = {
    "unknown_category": ("未知的困难类别", "Unknown hardship category"),
    "derived_category": ("高龄类别根据身份证出生日期自动认定，不能手工提交",
                         "Advanced age follows from the ID number's birth date; it is not submitted"),
    "evidence_required": ("请提供证明材料（说明或材料编号）",
                          "Evidence is required (a description or a document reference)"),
    "evidence_too_long": (f"证明材料说明不超过{EVIDENCE_MAX}个字符",
                          f"Evidence has at most {EVIDENCE_MAX} characters"),
    "already_pending": ("该类别已提交，正在等待审核", "This category is already waiting for review"),
    "already_verified": ("该类别已认定", "This category is already verified"),
    "age_not_revocable": ("高龄是年龄事实，不能撤销", "Advanced age is a fact of age; it cannot be withdrawn"),
    "not_verified": ("该类别未认定，无需撤销", "This category is not verified; there is nothing to withdraw"),
    "reason_required": ("撤销困难类别须填写理由", "Withdrawing a category needs a reason"),
}


class PriorityRefused(ValueError):
    def __init__(self, reason: str):
        self.reason = reason
        self.zh, self.en = _REASONS[reason]
        super().__init__(f"{reason}: {self.en}")


def category_names(code: str) -> dict[str, str]:
    zh, en = HARDSHIP_CATEGORIES.get(code, (code, code))
    return {"zh": zh, "en": en}


def check_submission(category: str, evidence: str | None, existing_status: str | None) -> str:
    """The evidence to store (trimmed), or ``PriorityRefused``.

    ``existing_status``: the status of this elder's record of this category, if any; a
    rejected one may be submitted again.
    """
    if category == ADVANCED_AGE:
        raise PriorityRefused("derived_category")
    if category not in HARDSHIP_CATEGORIES:
        raise PriorityRefused("unknown_category")
    evidence = (evidence or "").strip()
    if not evidence:
        raise PriorityRefused("evidence_required")
    if len(evidence) > EVIDENCE_MAX:
        raise PriorityRefused("evidence_too_long")
    if existing_status == PENDING:
        raise PriorityRefused("already_pending")
    if existing_status == VERIFIED:
        raise PriorityRefused("already_verified")
    return evidence


def is_advanced_age(age: int) -> bool:
    return age >= ADVANCED_AGE_MIN


def born_by_for_advanced_age(today: dt.date) -> dt.date:
    """The latest birth date of a person who is 80 or older on ``today`` (a 29 February
    birthday counts from 1 March in common years, as ``id_numbers.age_at`` does)."""
    try:
        return today.replace(year=today.year - ADVANCED_AGE_MIN)
    except ValueError:  # today is 29 February: born on 28 February or before
        return today.replace(year=today.year - ADVANCED_AGE_MIN, day=28)


def priority_categories(verified: list[str], age: int) -> list[str]:
    """An elder's categories: the verified ones plus ``advanced_age`` at 80+, in policy order."""
    held = set(verified)
    if is_advanced_age(age):
        held.add(ADVANCED_AGE)
    return [code for code in HARDSHIP_CATEGORIES if code in held]


def check_revocation(category: str, status: str | None, reason: str | None) -> str:
    """The reason to keep (trimmed), or ``PriorityRefused``: only a verified category is
    withdrawn, with a reason; advanced age never (it follows from the birth date)."""
    if category == ADVANCED_AGE:
        raise PriorityRefused("age_not_revocable")
    if category not in HARDSHIP_CATEGORIES:
        raise PriorityRefused("unknown_category")
    if status != VERIFIED:
        raise PriorityRefused("not_verified")
    text = (reason or "").strip()
    if not text:
        raise PriorityRefused("reason_required")
    return text
