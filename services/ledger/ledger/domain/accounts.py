"""An account's four totals and the balance rules the ledger enforces (TigerBeetle-style).

Every account keeps ``debits_posted``, ``credits_posted``, ``debits_pending`` and
``credits_pending`` (integer minutes). Its balance is ``credits_posted - debits_posted``;
what it may still spend is that balance less its pending debits (reservations).

Rules: only an ``issuance`` account may go below zero, and for every other kind
pending debits count (``debits_posted + debits_pending <= credits_posted``); a
``grant`` account may only be credited by a ``grant`` or a ``reversal``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from timebank_common.errors import RuleViolation

from ..contracts.kinds import (
    DONATION_POOL,
    GRANT,
    GRANT_TRANSFER,
    ISSUANCE,
    PERSONAL,
    POOL_ALLOCATION,
    REVERSAL,
)
from .display import minutes_en, minutes_zh

PERSON_ACCOUNT_KINDS = (PERSONAL, GRANT)  # keyed by owner_person_id
REGION_ACCOUNT_KINDS = (ISSUANCE, DONATION_POOL)  # keyed by region_code
MAY_GO_NEGATIVE = (ISSUANCE,)
# a grant account is spend-only: only a grant, a pool allocation (to priority elders) or the
# reversal of a spend may credit it
MAY_CREDIT_GRANT = (GRANT_TRANSFER, POOL_ALLOCATION, REVERSAL)


@dataclass
class AccountState:
    id: str
    kind: str
    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0

    @property
    def balance(self) -> int:
        """Posted balance: what the entries of this account sum to."""
        return self.credits_posted - self.debits_posted

    @property
    def available(self) -> int:
        """What may still be spent: the balance less reservations."""
        return self.balance - self.debits_pending

    def copy(self) -> AccountState:
        return replace(self)

    def totals(self) -> tuple[int, int, int, int]:
        return (self.debits_posted, self.credits_posted, self.debits_pending,
                self.credits_pending)


def require_can_debit(account: AccountState, amount: int) -> None:
    """Refuse a debit (posted or reserved) that would take a non-issuance account below zero."""
    if account.kind in MAY_GO_NEGATIVE or account.available >= amount:
        return
    available = max(account.available, 0)
    raise RuleViolation(
        "insufficient_balance",
        f"余额不足：可用 {minutes_zh(available)}，需要 {minutes_zh(amount)}",
        f"Insufficient balance: {minutes_en(available)} available, {minutes_en(amount)} needed",
        {"account_id": account.id, "account_kind": account.kind,
         "available_minutes": available, "amount_minutes": amount},
    )


def require_can_credit(account: AccountState, transfer_kind: str) -> None:
    """A grant account is spend-only: gifts, service credits, donations may not fill it."""
    if account.kind == GRANT and transfer_kind not in MAY_CREDIT_GRANT:
        raise RuleViolation(
            "grant_account_not_creditable",
            "政府补贴时长账户只能由补贴发放或冲正转入",
            "A grant account can only be credited by a grant or a reversal",
            {"account_id": account.id, "transfer_kind": transfer_kind,
             "allowed": list(MAY_CREDIT_GRANT)},
        )
