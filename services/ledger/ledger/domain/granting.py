"""Gifted hours for priority elders (identity's ``elder_priority_granted``): the region's
grant policy gives ``minutes`` per ``period`` for a hardship category; each elder is granted
once per period, from the issuance account of their city-level unit to their grant account.
The transfer id ``grant:<person>:<category>:<period>`` makes "once per period" hold whatever
the events, timers and processes.

**End**: a category withdrawn (identity's ``elder_priority_revoked``) is granted no period after
the one it was withdrawn in (that period's grant, paid or still due, stands; hours granted are
never taken back); an elder who is not ``active`` (left, withdrew, deceased) is granted
nothing more until identity says they are active again."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.clock import china_date

from ..contracts.kinds import GRANT_TRANSFER, POST
from .policy import Policy, period_key
from .transfers import TransferRequest, derived_id

ACTIVE = "active"


def still_granted(entitlement: dict[str, Any], policy: Policy, on_date: dt.date) -> bool:
    """Whether the entitlement is granted the period of ``on_date``."""
    if entitlement.get("person_status", ACTIVE) != ACTIVE:
        return False
    revoked_at = entitlement.get("revoked_at")
    if revoked_at is None:
        return True
    grant = policy.grant_for(entitlement["category"])
    if grant is None:
        return False
    return period_key(grant["period"], china_date(revoked_at)) == \
        period_key(grant["period"], on_date)


def grant_id(person_id: str, category: str, period: str) -> str:
    return derived_id("grant", f"{person_id}:{category}:{period}")


def grant_request(person_id: str, category: str, policy: Policy, on_date: dt.date,
                  issuance_account_id: str, grant_account_id: str) -> TransferRequest | None:
    """This period's grant, or None when the policy grants nothing for the category."""
    grant = policy.grant_for(category)
    if grant is None:
        return None
    period = period_key(grant["period"], on_date)
    return TransferRequest(
        transfer_id=grant_id(person_id, category, period), action=POST, kind=GRANT_TRANSFER,
        debit_account_id=issuance_account_id, credit_account_id=grant_account_id,
        amount_minutes=grant["minutes"], memo=category,
        reference={"category": category, "period": period,
                   "policy": policy.sources.get("grant_minutes")})
