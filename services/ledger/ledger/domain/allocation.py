"""Allocation from a donation pool to priority elders' grant accounts, by a stated rule:

1. elders living alone (空巢, ``empty_nest``) first,
2. then the oldest first (earliest birth date; unknown birth dates last),
3. then by person id (a stable order),

``minutes_each`` to each in that order until the pool cannot give a whole share (the rest
stays in the pool). One linked batch, ids ``pool_allocation:<allocation_id>:<person_id>``.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.errors import Forbidden

from ..contracts.kinds import POOL_ALLOCATION, POST
from .transfers import TransferRequest, derived_id

EMPTY_NEST = "empty_nest"


def allocation_order(elders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``elders``: ``{person_id, categories, birth_date (date or ISO string or None)}``."""
    def key(elder: dict[str, Any]) -> tuple[bool, bool, dt.date, str]:
        birth = elder.get("birth_date")
        if isinstance(birth, str):
            birth = dt.date.fromisoformat(birth)
        return (EMPTY_NEST not in (elder.get("categories") or []), birth is None,
                birth or dt.date.max, elder["person_id"])
    return sorted(elders, key=key)


def require_not_a_recipient(approver: str | None, elders: list[dict[str, Any]]) -> None:
    """Four eyes: an admin who is themself one of the pool's priority elders does not allocate
    it (the allocation would pay them): another admin does."""
    if approver is not None and any(e["person_id"] == approver for e in elders):
        raise Forbidden("own_allocation", "您本人是该资金池的优先老人，不能由您分配，须由其他管理员分配",
                        "You are one of this pool's priority elders: another admin allocates it")


def shares(elders: list[dict[str, Any]], pool_available: int, minutes_each: int
           ) -> list[tuple[str, int]]:
    """``[(person_id, minutes)]`` in allocation order while the pool lasts."""
    out: list[tuple[str, int]] = []
    left = pool_available
    for elder in allocation_order(elders):
        if left < minutes_each:
            break
        out.append((elder["person_id"], minutes_each))
        left -= minutes_each
    return out


def allocation_transfer_id(allocation_id: str, person_id: str) -> str:
    return derived_id(f"pool_allocation:{allocation_id}", person_id)


def allocation_requests(allocation_id: str, pool_account_id: str,
                        grant_accounts: dict[str, str], planned: list[tuple[str, int]],
                        memo: str | None, approver: str | None) -> list[TransferRequest]:
    """One linked chain: all shares are posted together or none."""
    return [TransferRequest(
        transfer_id=allocation_transfer_id(allocation_id, person_id), action=POST,
        kind=POOL_ALLOCATION, debit_account_id=pool_account_id,
        credit_account_id=grant_accounts[person_id], amount_minutes=minutes, memo=memo,
        reference={"allocation_id": allocation_id, "rule": "empty_nest_then_oldest",
                   "person_id": person_id, "rank": i + 1, "allocated_by": approver},
        linked=i < len(planned) - 1)
        for i, (person_id, minutes) in enumerate(planned)]
