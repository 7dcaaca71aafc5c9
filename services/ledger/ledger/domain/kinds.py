"""Account and transfer kinds (DESIGN.md §6). None of them leads to money or goods."""
from __future__ import annotations

PERSONAL = "personal"  # one per person, kept for life: earned hours
GRANT = "grant"  # an elder's gifted free hours: spend-only, not giftable
ISSUANCE = "issuance"  # one per city-level unit: the public liability, may go negative
DONATION_POOL = "donation_pool"  # per region

ACCOUNT_KINDS = (PERSONAL, GRANT, ISSUANCE, DONATION_POOL)
PERSON_ACCOUNT_KINDS = (PERSONAL, GRANT)  # keyed by owner_person_id
REGION_ACCOUNT_KINDS = (ISSUANCE, DONATION_POOL)  # keyed by region_code
MAY_GO_NEGATIVE = (ISSUANCE,)

SERVICE_CREDIT = "service_credit"
GRANT_TRANSFER = "grant"
GIFT_TO_RELATIVE = "gift_to_relative"
DONATION = "donation"
POOL_ALLOCATION = "pool_allocation"
REVERSAL = "reversal"

TRANSFER_KINDS = (SERVICE_CREDIT, GRANT_TRANSFER, GIFT_TO_RELATIVE, DONATION, POOL_ALLOCATION,
                  REVERSAL)
# a grant account is spend-only: only a grant, a pool allocation (to priority elders) or the
# reversal of a spend may credit it
MAY_CREDIT_GRANT = (GRANT_TRANSFER, POOL_ALLOCATION, REVERSAL)
