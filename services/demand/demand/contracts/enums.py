"""The values callers of the demand service need: statuses, channels, funding sources,
outcomes, what the catalogue never offers, and the role sets of demand's own features.

The domain (``demand.domain``) builds its rules on these names; the gateway validates and
documents with them."""
from __future__ import annotations

from timebank_common.caller import ADMIN_ROLES
from timebank_common.schemas import AsciiPattern

# --- a demand's lifecycle (DESIGN.md §5) -------------------------------------------------
SUBMITTED = "submitted"
PUBLISHED = "published"
REJECTED = "rejected"
ASSIGNED = "assigned"
IN_SERVICE = "in_service"
AWAITING_RECORD = "awaiting_record"
RECORDED = "recorded"
EVALUATED = "evaluated"
CANCELLED = "cancelled"
STATUSES = (SUBMITTED, PUBLISHED, REJECTED, ASSIGNED, IN_SERVICE, AWAITING_RECORD,
            RECORDED, EVALUATED, CANCELLED)
"""A demand's statuses."""

WITHDRAWN = "withdrawn"  # an assignment only
NO_SHOW = "no_show"  # an assignment only
ASSIGNMENT_STATUSES = (ASSIGNED, IN_SERVICE, AWAITING_RECORD, RECORDED, WITHDRAWN, NO_SHOW)
NO_SHOW_REASON = "no_show"  # a demand cancelled because nobody came (``cancel_reason``)
EXPIRED_REASON = "expired"  # a demand cancelled because nobody served it in its window

CHANNELS = ("phone", "station", "app", "api")

# A demand's window (issue 15): it starts in the future and at most this many days ahead, and
# lasts at most this many hours (a window ending in 9999 is refused, never stored).
LATEST_START_DAYS = 90
LONGEST_WINDOW_HOURS = 24
WINDOW_RULE = (f"在将来且不晚于 {LATEST_START_DAYS} 天后开始，时段最长 {LONGEST_WINDOW_HOURS} 小时"
               f" / starts in the future, at most {LATEST_START_DAYS} days ahead, and lasts at"
               f" most {LONGEST_WINDOW_HOURS} hours")
FUNDING_SOURCES = ("issuance", "own_hours", "grant", "donation_pool")
"""Where the hours of a published demand come from (there is no money or goods); chosen at
submission, ``issuance`` (the city's public hours) when nobody chooses."""
DEFAULT_FUNDING = "issuance"
FUNDING_CHOOSERS = ("elder", "proxy", "operator", "api_client")
"""Who chose the funding source: the elder in the app, their proxy relative, staff (by phone
or at the station, on the elder's behalf) or a municipal system; null: nobody chose (the
default, issuance)."""
CONFIRMATIONS = ("app", "phone")  # how the elder confirms a recorded service

# --- service records ------------------------------------------------------------------------
HELD, AWAITING_CONFIRMATION, SENT, RECORD_REJECTED, VOIDED = (
    "held", "awaiting_confirmation", "sent", "rejected", "voided")
RECORD_STATUSES = (HELD, AWAITING_CONFIRMATION, SENT, RECORD_REJECTED, VOIDED)
CONFIRMED_BY = ("elder", "proxy")  # who answered: the elder themself or their proxy

# --- recurring demands ------------------------------------------------------------------------
FREQUENCIES = ("daily", "weekly", "every_n_days")

# --- evaluations and disputes ---------------------------------------------------------------
FOLLOW_UP_KINDS = ("low_score", "confirmation_overdue")
OPEN, IN_REVIEW, RESOLVED = "open", "in_review", "resolved"
DISPUTE_STATUSES = (OPEN, IN_REVIEW, RESOLVED)
UPHELD, MINUTES_ADJUSTED = "upheld", "minutes_adjusted"
OUTCOMES = (UPHELD, MINUTES_ADJUSTED, VOIDED)
SUBJECTS = ("record", "evaluation")

# --- the catalogue --------------------------------------------------------------------------
NOT_OFFERED = frozenset({"housekeeping"})
"""Asked for often, never offered: housekeeping and duties owed by institutions or families."""
NOT_OFFERED_NOTE = {
    "zh": "时间银行不提供家政服务（保洁、做饭、洗衣等），也不承担养老机构或家庭成员依法应尽的照护义务。",
    "en": "The time bank does not offer housekeeping (cleaning, cooking, laundry …), nor duties "
          "that care institutions or family members owe by law.",
    "codes": sorted(NOT_OFFERED),
}
NOT_OFFERED_TEXT = f"{NOT_OFFERED_NOTE['zh']} {NOT_OFFERED_NOTE['en']}"

# --- who does what (besides ``timebank_common.caller.STATION_STAFF``) -----------------------
CATALOGUE_EDITORS = ("province_admin",)
"""Who edits the service catalogue."""
ESCALATION_READERS = ("township_admin", "county_admin", "city_admin", "province_admin",
                      "auditor")
"""Who follows escalated (unreviewed) demands up: the township and the levels above it."""
POLICY_ADMINS = ("province_admin", "city_admin")
"""Who adds evidence-threshold rows (for a region in their scope)."""
STATS_READERS = (*ADMIN_ROLES, "auditor", "api_client")
"""Who reads demand statistics (for a region in their scope)."""

REGION_CODE = AsciiPattern(r"^[0-9]{12}$", error="must be a 12-digit region code")
