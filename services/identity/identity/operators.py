"""Operators (工作人员): admins grant staff roles downward, list and revoke them.

The rules are ``domain.delegation``; this module looks up what they need (the carrier, the
person, the grant) and records the outcome. A new operator is a person like any other
(the same ID number is the same person, who gains the grant: ``registration.person_for``),
with a login by mobile number: the admin sets the initial password and hands it over (it
is never returned); a person who already has a login keeps their password.

Each function runs inside the caller's unit of work; the entrypoint commits.
"""
from __future__ import annotations

import datetime as dt

from timebank_common.caller import ADMIN_ROLES, Caller
from timebank_common.errors import BadInput, Conflict, NotFound

from . import audit, registration, revocation
from . import repository as repo
from .carriers import listing_prefix
from .domain.delegation import GRANTABLE, DelegationRefused, Granter, check_grant, check_revoke
from .refusals import as_error
from .schemas import OperatorGrantedPayload, OperatorRevokedPayload
from .views import operator_view

GRANTERS = ADMIN_ROLES
READERS = (*ADMIN_ROLES, "auditor")


def granter_of(caller: Caller) -> Granter:
    return Granter(caller.roles, caller.scope)


def _carrier(uow, carrier_id) -> dict | None:
    if not carrier_id:
        return None
    carrier = repo.get_carrier(uow, carrier_id)
    if carrier is None:
        raise BadInput("unknown_carrier", "服务站点不存在", "Unknown service station",
                       {"carrier_id": ["unknown / 不存在"]})
    return carrier


def _require_scope_region(uow, code: str) -> None:
    if repo.get_region(uow, code) is None:
        raise BadInput("unknown_region", "区划代码不存在", "Unknown region code",
                       {"scope_code": ["Unknown region code / 区划代码不存在"]})


def _holds_nothing_yet(uow, person_id) -> bool:
    """An operator may already be an elder, a volunteer or staff elsewhere: no conflict."""
    return False


def create_operator(uow, caller: Caller, data: dict, today: dt.date) -> dict:
    caller.require(*GRANTERS)
    carrier = _carrier(uow, data.get("carrier_id"))
    try:
        scope = check_grant(granter_of(caller), data["role"], data.get("scope_code"),
                            carrier["region_code"] if carrier else None)
    except DelegationRefused as exc:
        raise as_error(exc, {"role": data["role"], "scope_code": data.get("scope_code"),
                             "your_scope": caller.scope}) from None
    _require_scope_region(uow, scope)
    resident = registration.parse_id_number(data["id_number"], today)
    registration.require_region(uow, data["region_code"])
    person = registration.person_for(uow, caller, data, resident, "operator", _holds_nothing_yet)
    grant = repo.insert_grant(uow, person["id"], data["role"], scope,
                              carrier["id"] if carrier else None, repo.as_uuid(caller.person_id))
    if grant is None:
        raise Conflict("already_granted", "此人已在该范围内担任该角色",
                       "This person already holds this role in this scope",
                       {"person_id": str(person["id"]), "role": data["role"], "scope_code": scope})
    login_created = registration.give_login(uow, person, data["initial_password"])
    payload = OperatorGrantedPayload().dump({
        "grant_id": str(grant["id"]), "person_id": str(person["id"]), "role": grant["role"],
        "scope_code": scope, "carrier_id": str(carrier["id"]) if carrier else None,
        "granted_by": caller.person_id})
    uow.emit("operator_granted", payload, scope)
    view = {**operator_view(grant, person), "login": "created" if login_created else "existing"}
    audit.record(uow, caller, "create_operator", "role_grant", grant["id"], scope, after=view)
    return view


def list_operators(uow, caller: Caller, query: dict) -> dict:
    """Active staff grants whose scope lies in the caller's (narrowed by ``region_code``)."""
    caller.require(*READERS)
    prefix = listing_prefix(caller, query.get("region_code"))
    roles = [query["role"]] if query.get("role") else list(GRANTABLE)
    rows, total = repo.staff_grant_page(uow, roles, prefix, query["page"], query["page_size"])
    items = [operator_view(row, {"name": row["name"], "phone": row["phone"],
                                 "id_number": row["id_number"],
                                 "region_code": row["person_region_code"]}) for row in rows]
    return {"items": items, "total": total, "page": query["page"],
            "page_size": query["page_size"]}


def revoke_operator_grant(uow, caller: Caller, grant_id, reason: str) -> dict:
    """Mark the grant revoked: the next login or token refresh no longer carries the role."""
    caller.require(*GRANTERS)
    grant = repo.get_grant(uow, grant_id, lock=True)
    if grant is None:
        raise NotFound("grant_not_found", "授权记录不存在", "No such grant",
                       {"grant_id": str(grant_id)})
    carrier = repo.get_carrier(uow, grant["carrier_id"]) if grant["carrier_id"] else None
    try:
        check_revoke(granter_of(caller), caller.person_id, grant,
                     carrier["region_code"] if carrier else None)
    except DelegationRefused as exc:
        raise as_error(exc, {"grant_id": str(grant["id"]), "role": grant["role"],
                             "scope_code": grant["scope_code"], "your_scope": caller.scope}) from None
    revoked = repo.revoke_grant(uow, grant["id"], repo.as_uuid(caller.person_id), reason)
    # access tokens already issued still carry the role: the gateway refuses them from now on
    revocation.revoke_tokens(uow, dt.datetime.now(dt.UTC), person_id=grant["person_id"],
                             reason="role_revoked")
    payload = OperatorRevokedPayload().dump({
        "grant_id": str(grant["id"]), "person_id": str(grant["person_id"]),
        "role": grant["role"], "scope_code": grant["scope_code"],
        "revoked_by": caller.person_id, "reason": reason})
    uow.emit("operator_revoked", payload, grant["scope_code"])
    person = repo.get_person(uow, grant["person_id"])
    view = {**operator_view(revoked, person), "revoked_at": revoked["revoked_at"].isoformat(),
            "revoke_reason": revoked["revoke_reason"]}
    audit.record(uow, caller, "revoke_operator_grant", "role_grant", grant["id"],
                 grant["scope_code"], before=operator_view(grant, person), after=view)
    return view
