"""Which account pays a recorded service (DESIGN.md §5, §6).

``service_recorded.funding_source`` names the payer: ``own_hours`` (the elder's personal
account), ``grant`` (the elder's grant account), ``pool`` (the donation pool of the
demand's city-level unit; demand's review calls it ``donation_pool``, the name its HTTP API
and events carry) or ``issuance`` (that unit's issuance account; also when the source is
absent). An unknown name is refused by the event's schema: a typo must not make the city pay.

**Rule: a recorded service is always credited.** When the named source cannot pay the
whole amount (no such account, or too few available minutes), the issuance account pays
instead and the transfer's reference says why (``fallback``). The elder is never left
with a service their volunteer is not credited for, and no account goes below zero.
"""
from __future__ import annotations

from ..contracts.kinds import (
    FUNDING_ALIASES,
    FUNDING_SOURCES,
    GRANT_SOURCE,
    ISSUANCE_SOURCE,
    OWN_HOURS,
)

NO_ELDER = "no_elder_named"
NO_ACCOUNT = "source_account_missing"
INSUFFICIENT = "source_insufficient"
FROZEN = "source_frozen"  # the elder died: their account is frozen (app/standing.py)


def normalised(source: str | None) -> str:
    if source is None:
        return ISSUANCE_SOURCE
    source = FUNDING_ALIASES.get(source, source)
    return source if source in FUNDING_SOURCES else ISSUANCE_SOURCE


def choose_payer(source: str | None, minutes: int, available: int | None,
                 elder_named: bool = True, frozen: bool = False) -> tuple[str, str | None]:
    """``(paid_from, fallback_reason)``: the named source when it can pay ``minutes``
    (``available`` = its available minutes, None if the account does not exist; ``frozen``:
    nothing may leave it), else issuance with the reason."""
    source = normalised(source)
    if source == ISSUANCE_SOURCE:
        return ISSUANCE_SOURCE, None
    if source in (OWN_HOURS, GRANT_SOURCE) and not elder_named:
        return ISSUANCE_SOURCE, NO_ELDER
    if available is None:
        return ISSUANCE_SOURCE, NO_ACCOUNT
    if frozen:
        return ISSUANCE_SOURCE, FROZEN
    if available < minutes:
        return ISSUANCE_SOURCE, INSUFFICIENT
    return source, None
