"""Who may read a person's balance, statement and certificates, and who may issue a
certificate (DESIGN.md §4). Anyone may verify a certificate.

The person themself, or staff (station operators, admins, auditors) whose scope covers the
region of one of the person's accounts. A person with no account yet has nothing to reveal:
staff see zeros as the person would.
"""
from __future__ import annotations

from collections.abc import Iterable

from timebank_common.caller import Caller
from timebank_common.errors import Forbidden

from ..contracts.roles import CERTIFICATE_ISSUERS


def authorize_account_read(caller: Caller, person_id: str, account_regions: Iterable[str]) -> None:
    if caller.person_id and caller.person_id == person_id:
        return
    if not caller.is_staff():
        raise Forbidden("not_your_account", "只能查看本人的时间账户",
                        "You can only see your own time account", {"person_id": person_id})
    regions = list(account_regions)
    if not regions:
        return
    if not any(caller.covers(region) for region in regions):
        caller.require_scope(regions[0])  # raises out_of_scope with the details


def authorize_certificate_issue(caller: Caller, person_id: str, region_code: str | None) -> None:
    """The volunteer themself, or an operator/admin whose scope covers the volunteer."""
    if caller.person_id and caller.person_id == person_id:
        return
    caller.require(*CERTIFICATE_ISSUERS)
    caller.require_scope(region_code)


def authorize_certificate_read(caller: Caller, person_id: str, region_code: str) -> None:
    """The volunteer themself, or staff (auditors included) whose scope covers it."""
    authorize_account_read(caller, person_id, [region_code])
