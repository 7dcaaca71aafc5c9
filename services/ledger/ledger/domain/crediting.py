"""Crediting a recorded service to the volunteer (DESIGN.md §5, §6), after the region's
policy: the recorded minutes are rounded, the yearly cap splits off the excess (routed to
the donation pool as a ``donation`` in the same linked chain, or refused), and the payer is
chosen by ``funding.choose_payer``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..contracts.kinds import DONATION, POST, SERVICE_CREDIT
from .policy import REFUSE, Policy, rounded_minutes, split_at_cap
from .transfers import TransferRequest, derived_id

CAP_EXCESS = "yearly_cap_excess"  # the memo and reason of a service's excess sent to the pool


def service_credit_id(record_id: str) -> str:
    """One service record is credited at most once: its id fixes the transfer id."""
    return derived_id("service_record", record_id)


def excess_id(record_id: str) -> str:
    return derived_id("service_record_excess", record_id)


@dataclass(frozen=True)
class CreditPlan:
    """What the policy makes of recorded minutes."""

    recorded: int
    rounded: int
    credited: int  # to the volunteer
    excess: int  # beyond the yearly cap
    excess_to: str | None  # "pool" | "refused" | None

    @property
    def paid(self) -> int:
        """What the payer gives: the credit, plus the excess when it goes to the pool."""
        return self.credited + (self.excess if self.excess_to == "pool" else 0)


def plan_credit(recorded: int, earned_this_year: int, policy: Policy) -> CreditPlan:
    rounded = rounded_minutes(recorded, policy["rounding_unit_minutes"], policy["rounding_mode"])
    credited, excess = split_at_cap(earned_this_year, rounded, policy["yearly_cap_minutes"])
    excess_to = None if not excess else ("refused" if policy["cap_excess"] == REFUSE else "pool")
    return CreditPlan(recorded, rounded, credited, excess, excess_to)


def service_credit(record_id: str, demand_id: str, minutes: int, category: str | None,
                   issuance_account_id: str, personal_account_id: str,
                   reference: dict[str, Any] | None = None, linked: bool = False) -> TransferRequest:
    """``issuance_account_id``: the payer (issuance, or the named funding source)."""
    return TransferRequest(
        transfer_id=service_credit_id(record_id),
        action=POST,
        kind=SERVICE_CREDIT,
        debit_account_id=issuance_account_id,
        credit_account_id=personal_account_id,
        amount_minutes=minutes,
        memo=category,
        reference={"record_id": record_id, "demand_id": demand_id, **(reference or {})},
        linked=linked,
    )


def excess_to_pool(record_id: str, demand_id: str, minutes: int, payer_account_id: str,
                   pool_account_id: str, reference: dict[str, Any] | None = None) -> TransferRequest:
    return TransferRequest(
        transfer_id=excess_id(record_id), action=POST, kind=DONATION,
        debit_account_id=payer_account_id, credit_account_id=pool_account_id,
        amount_minutes=minutes, memo=CAP_EXCESS,
        reference={"record_id": record_id, "demand_id": demand_id,
                   "reason": CAP_EXCESS, **(reference or {})})
