"""Who may read a person's balance, statement and certificates, and who may issue a
certificate (DESIGN.md §4). Anyone may verify a certificate.

The person themself, or staff (station operators, admins, auditors) whose scope covers the
region the person belongs to now (their accounts follow them when they move; a person with
no account yet is placed by identity's ``person_standing``). For staff, a person outside the
scope answers exactly as an id nobody has: 404 ``person_not_found`` — a read never tells
another region's staff that someone exists, and never answers zeros for an unknown id.
"""
from __future__ import annotations

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


def authorize_certificate_issue(caller: Caller, person_id: str, region_code: str | None) -> None:
    """The volunteer themself, or an operator/admin whose scope covers the volunteer (a
    volunteer outside it answers as an unknown id: 404 ``person_not_found``)."""
    if is_self(caller, person_id):
        return
    caller.require(*CERTIFICATE_ISSUERS)
    if not caller.covers(region_code):
        raise person_not_found(person_id)


def authorize_certificate_read(caller: Caller, person_id: str, region_code: str,
                               number: str) -> None:
    """The volunteer themself, or staff (auditors included) whose scope covers the region it
    was issued in; to other staff it answers as a number nobody issued (404)."""
    if is_self(caller, person_id):
        return
    if not caller.is_staff():
        raise Forbidden("not_your_account", "只能查看本人的时间账户",
                        "You can only see your own time account", {"person_id": person_id})
    if not caller.covers(region_code):
        raise certificate_not_found(number)


def certificate_not_found(number: str) -> NotFound:
    return NotFound("certificate_not_found", "未找到该编号的证明", "No certificate has this number",
                    {"number": number})
