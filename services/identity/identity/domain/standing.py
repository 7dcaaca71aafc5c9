"""A person's standing in the time bank (``PERSON_STATUSES``) and how it may change.

``active`` is the only standing in which a person logs in, serves (a volunteer) or has
someone act for them. ``left`` and ``withdrew`` are reversible (the person comes back to
``active``); ``deceased`` is final, except that an administrator of a county or above may
correct a death recorded in error (back to ``active``, with a reason). Every change but back
to ``active`` carries a reason; a correction of a death does too. Hours are never touched
here: the ledger's regional policy decides what becomes of a deceased person's account.
"""
from __future__ import annotations

from ..contracts import PERSON_STATUSES

ACTIVE = "active"
DECEASED = "deceased"
CORRECTORS = ("county_admin", "city_admin", "province_admin")
"""Who may correct a death recorded in error."""

_REASONS = {
    "unknown_status": ("未知的状态", "Unknown standing"),
    "same_status": ("此人已是该状态", "The person already has this standing"),
    "reason_required": ("请填写理由", "A reason is required"),
    "deceased_final": ("已故状态只能由县级及以上管理员更正",
                       "A recorded death can only be corrected by a county, city or province "
                       "administrator"),
}


class StandingRefused(ValueError):
    def __init__(self, reason: str):
        self.reason = reason
        self.zh, self.en = _REASONS[reason]
        super().__init__(f"{reason}: {self.en}")


def check_change(current: str, new: str, reason: str | None,
                 roles: tuple[str, ...] | list[str]) -> str | None:
    """The reason to keep (trimmed; None when none is needed and none given), or
    ``StandingRefused``."""
    if new not in PERSON_STATUSES:
        raise StandingRefused("unknown_status")
    if new == current:
        raise StandingRefused("same_status")
    text = (reason or "").strip() or None
    correcting_death = current == DECEASED
    if text is None and (new != ACTIVE or correcting_death):
        raise StandingRefused("reason_required")
    if correcting_death and not any(role in CORRECTORS for role in roles):
        raise StandingRefused("deceased_final")
    return text


def may_log_in(status: str | None) -> bool:
    return (status or ACTIVE) == ACTIVE


def acts_through_others(status: str | None) -> bool:
    """Whether proxies may still act for an elder of this standing (not after death)."""
    return (status or ACTIVE) != DECEASED
