"""A person's balance as people see it: earned, granted, reserved, available (minutes)."""
from __future__ import annotations

from collections.abc import Mapping

from .kinds import GRANT, PERSONAL


def balance_summary(person_id: str, balances_by_kind: Mapping[str, int],
                    reserved_minutes: int = 0) -> dict:
    """``balances_by_kind`` maps account kind to balance; a missing account counts as zero.

    Reservations (two-phase transfers) come later; until then ``reserved_minutes`` is 0.
    """
    earned = int(balances_by_kind.get(PERSONAL, 0))
    granted = int(balances_by_kind.get(GRANT, 0))
    return {
        "person_id": person_id,
        "earned_minutes": earned,
        "grant_minutes": granted,
        "reserved_minutes": reserved_minutes,
        "available_minutes": earned + granted - reserved_minutes,
    }
