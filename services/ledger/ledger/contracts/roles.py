"""The role sets that may call the ledger's staff RPCs (the gateway checks them first, the
ledger again with the region scope)."""
from __future__ import annotations

from timebank_common.caller import ADMIN_ROLES, STATION_STAFF

POLICY_ADMINS = ("province_admin", "city_admin", "county_admin")
"""Who adds a regional policy row (``add_policy``)."""

POOL_ADMINS = ("province_admin", "city_admin")
"""Who allocates a donation pool to priority elders (``allocate_pool``)."""

STATS_READERS = (*ADMIN_ROLES, "auditor", "api_client")
"""Who reads the ledger's supervision figures (``ledger_stats``)."""

CERTIFICATE_ISSUERS = STATION_STAFF
"""Who issues a certificate for a volunteer in their region (besides the volunteer):
station operators and admins; auditors read certificates, they do not issue them."""

INTERCHANGE_READERS = ("province_admin", "city_admin", "auditor")
"""Who reads the 通存通兑 report (``interchange_report``), for the city-level units in scope."""
