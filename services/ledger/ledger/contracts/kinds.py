"""The ledger's names that cross its boundary (DESIGN.md §6): account and transfer kinds,
transfer actions, phases and result statuses, funding sources, giving kinds, dispute
outcomes, and the limits of a transfer. None of them leads to money or goods."""
from __future__ import annotations

# --- account kinds --------------------------------------------------------------------------
PERSONAL = "personal"  # one per person, kept for life: earned hours
GRANT = "grant"  # an elder's gifted free hours: spend-only, not giftable
ISSUANCE = "issuance"  # one per city-level unit: the public liability, may go negative
DONATION_POOL = "donation_pool"  # per region (in use: one per city-level unit)
ACCOUNT_KINDS = (PERSONAL, GRANT, ISSUANCE, DONATION_POOL)

# --- transfer kinds -------------------------------------------------------------------------
SERVICE_CREDIT = "service_credit"
GRANT_TRANSFER = "grant"
GIFT_TO_RELATIVE = "gift_to_relative"
DONATION = "donation"
POOL_ALLOCATION = "pool_allocation"
REVERSAL = "reversal"
TRANSFER_KINDS = (SERVICE_CREDIT, GRANT_TRANSFER, GIFT_TO_RELATIVE, DONATION, POOL_ALLOCATION,
                  REVERSAL)
GIVING_KINDS = (GIFT_TO_RELATIVE, DONATION)  # what a person gives (``give``)

# --- transfer actions (what a request asks; TigerBeetle's flags spelled out) -----------------
POST = "post"
PENDING = "pending"
POST_PENDING = "post_pending"
VOID_PENDING = "void_pending"
EXPIRE = "expire"  # the sweep only
REVERSE = "reverse"
ACTIONS = (POST, PENDING, POST_PENDING, VOID_PENDING, EXPIRE, REVERSE)
CALLER_ACTIONS = (POST, PENDING, POST_PENDING, VOID_PENDING, REVERSE)

# --- phases (of a stored transfer) ----------------------------------------------------------
PHASE_POSTED = "posted"
PHASE_PENDING = "pending"
PHASE_POST_PENDING = "post_pending"
PHASE_VOID_PENDING = "void_pending"
PHASE_EXPIRED = "expired"
PHASES = (PHASE_POSTED, PHASE_PENDING, PHASE_POST_PENDING, PHASE_VOID_PENDING, PHASE_EXPIRED)

# --- result statuses (one per request of a batch) --------------------------------------------
POSTED = "posted"
RESERVED = "pending"
VOIDED = "voided"
EXPIRED = "expired"
EXISTS = "exists"
FAILED = "failed"
STATUSES = (POSTED, RESERVED, VOIDED, EXPIRED, EXISTS, FAILED)

MAX_TRANSFER_ID_LENGTH = 200
MAX_TIMEOUT_SECONDS = 366 * 24 * 3600
MAX_BATCH = 8190  # as TigerBeetle: one batch, one database transaction

# --- who pays a recorded service (``service_recorded.funding_source``) ------------------------
OWN_HOURS, GRANT_SOURCE, POOL, ISSUANCE_SOURCE = "own_hours", "grant", "pool", "issuance"
FUNDING_SOURCES = (OWN_HOURS, GRANT_SOURCE, POOL, ISSUANCE_SOURCE)
FUNDING_ALIASES = {"donation_pool": POOL}  # demand's name of the source

# --- dispute outcomes (``apply_dispute_outcome``, demand's ``dispute_resolved``) ------------
UPHELD, MINUTES_ADJUSTED, VOIDED_OUTCOME = "upheld", "minutes_adjusted", "voided"
DISPUTE_OUTCOMES = (UPHELD, MINUTES_ADJUSTED, VOIDED_OUTCOME)
