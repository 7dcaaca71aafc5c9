"""A person's balance as people see it: earned, granted, reserved, available (minutes)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..contracts.kinds import GRANT, PERSONAL
from .accounts import AccountState


def balance_summary(person_id: str, held: Iterable[AccountState]) -> dict[str, Any]:
    """``held``: the person's accounts (personal, grant); a missing one counts as zero.

    ``reserved_minutes`` are the pending debits (reservations not yet posted or voided);
    ``available_minutes`` is what the person may still spend.
    """
    by_kind = {a.kind: a for a in held}
    personal, grant = by_kind.get(PERSONAL), by_kind.get(GRANT)
    earned = personal.balance if personal else 0
    granted = grant.balance if grant else 0
    reserved = sum(a.debits_pending for a in (personal, grant) if a)
    return {
        "person_id": person_id,
        "earned_minutes": earned,
        "grant_minutes": granted,
        "reserved_minutes": reserved,
        "available_minutes": earned + granted - reserved,
    }
