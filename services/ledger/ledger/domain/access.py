"""Who may read a person's balance, statement and certificates, and who may issue a
certificate (DESIGN.md §4). Anyone may verify a certificate.

The person themself, or staff (station operators, admins, auditors) whose scope covers the
region the person belongs to now (their accounts follow them when they move; a person with
no account yet is placed by identity's ``person_standing``). For staff, a person outside the
scope answers exactly as an id nobody has: 404 ``person_not_found`` — a read never tells
another region's staff that someone exists, and never answers zeros for an unknown id.
"""
from __future__ import annotations

from collections.abc import Iterable

from timebank_common.caller import Caller
from timebank_common.errors import Forbidden, NotFound

from ..contracts.roles import CERTIFICATE_ISSUERS


def person_not_found(person_id: str) -> NotFound:
    return NotFound("person_not_found", "未找到此人", "No such person", {"person_id": person_id})


def is_self(caller: Caller, person_id: str) -> bool:
    return bool(caller.person_id) and caller.person_id == person_id


def authorize_account_read(caller: Caller, person_id: str, region_code: str | None) -> None:
    """``region_code``: where the person belongs now (None: nobody has this id)."""
    if is_self(caller, person_id):
        return
    if not caller.is_staff():
        raise Forbidden("not_your_account", "只能查看本人的时间账户",
                        "You can only see your own time account", {"person_id": person_id})
    if region_code is None or not caller.covers(region_code):
        raise person_not_found(person_id)


def authorize_account_read_legacy(caller: Caller, person_id: str,
                                  account_regions: Iterable[str]) -> None:
    """A certificate's reader: the person, or staff covering the region it was issued in."""
    if is_self(caller, person_id):
        return
    if not caller.is_staff():
        raise Forbidden("not_your_account", "只能查看本人的时间账户",
                        "You can only see your own time account", {"person_id": person_id})
    regions = list(account_regions)
    if not any(caller.covers(region) for region in regions):
        caller.require_scope(regions[0] if regions else None)


def authorize_certificate_issue(caller: Caller, person_id: str, region_code: str | None) -> None:
    """The volunteer themself, or an operator/admin whose scope covers the volunteer."""
    if caller.person_id and caller.person_id == person_id:
        return
    caller.require(*CERTIFICATE_ISSUERS)
    caller.require_scope(region_code)


def authorize_certificate_read(caller: Caller, person_id: str, region_code: str) -> None:
    """The volunteer themself, or staff (auditors included) whose scope covers it."""
    authorize_account_read_legacy(caller, person_id, [region_code])
