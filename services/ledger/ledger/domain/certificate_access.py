"""Who may issue and fetch service-record certificates (DESIGN.md §4); anyone may verify."""
from __future__ import annotations

from timebank_common.caller import ADMIN_ROLES, Caller

from .access import authorize_account_read

# station operators and admins may issue a certificate for a volunteer in their region;
# auditors read, they do not issue
CERTIFICATE_ISSUERS = ADMIN_ROLES + ("station_operator",)


def authorize_issue(caller: Caller, person_id: str, region_code: str | None) -> None:
    """The volunteer themself, or an operator/admin whose scope covers the volunteer."""
    if caller.person_id and caller.person_id == person_id:
        return
    caller.require(*CERTIFICATE_ISSUERS)
    caller.require_scope(region_code)


def authorize_read(caller: Caller, person_id: str, region_code: str) -> None:
    """The volunteer themself, or staff (auditors included) whose scope covers it."""
    authorize_account_read(caller, person_id, [region_code])
