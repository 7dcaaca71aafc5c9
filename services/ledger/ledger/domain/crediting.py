"""Crediting a recorded service to the volunteer (DESIGN.md §5, §6).

For now every recorded service is paid from the issuance account of the demand's
city-level unit, whatever its ``funding_source``. Funding from the elder's own
hours, a grant or the donation pool will reserve at assignment and post at
recording (``pending``/``post_pending``), once demand sends the reservation.
"""
from __future__ import annotations

from .kinds import SERVICE_CREDIT
from .transfers import POST, TransferRequest


def service_credit_id(record_id: str) -> str:
    """One service record is credited at most once: its id fixes the transfer id."""
    return f"service_record:{record_id}"


def service_credit(record_id: str, demand_id: str, minutes: int, category: str | None,
                   issuance_account_id: str, personal_account_id: str) -> TransferRequest:
    return TransferRequest(
        transfer_id=service_credit_id(record_id),
        action=POST,
        kind=SERVICE_CREDIT,
        debit_account_id=issuance_account_id,
        credit_account_id=personal_account_id,
        amount_minutes=minutes,
        memo=category,
        reference={"record_id": record_id, "demand_id": demand_id},
    )
