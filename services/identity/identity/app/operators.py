"""Operators (工作人员): admins grant staff roles downward, list and revoke them.

The rules are ``domain.delegation``; this module looks up what they need (the carrier, the
person, the grant) and records the outcome. A new operator is a person like any other
(the same ID number is the same person, who gains the grant: ``registration.person_for``),
with a login by mobile number: the admin sets the initial password and hands it over (it
is never returned); a person who already has a login keeps their password.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import ADMIN_ROLES, Caller
from timebank_common.clock import china_date
from timebank_common.db import UnitOfWork, UnitOfWorkFactory
from timebank_common.errors import BadInput, Conflict, NotFound

from ..adapters import carriers, grants, persons, regions
from ..adapters.rows import as_uuid
from ..contracts import GRANTABLE_ROLES, OPERATOR_GRANTED, OPERATOR_REVOKED, SUPERVISORS
from ..domain.delegation import DelegationRefused, Granter, check_grant, check_revoke
from . import audit, registration
from .refusals import as_error
from .revocation import revoke_tokens
from .scope import listing_prefix
from .views import operator_view


def granter_of(caller: Caller) -> Granter:
    return Granter(caller.roles, caller.scope)


def _carrier(uow: UnitOfWork, carrier_id: Any) -> dict[str, Any] | None:
    if not carrier_id:
        return None
    carrier = carriers.get_carrier(uow, carrier_id)
    if carrier is None:
        raise BadInput("unknown_carrier", "服务站点不存在", "Unknown service station",
                       {"carrier_id": ["unknown / 不存在"]})
    return carrier


def _require_scope_region(uow: UnitOfWork, code: str) -> None:
    if regions.get_region(uow, code) is None:
        raise BadInput("unknown_region", "区划代码不存在", "Unknown region code",
                       {"scope_code": ["Unknown region code / 区划代码不存在"]})


def _holds_nothing_yet(uow: UnitOfWork, person_id: Any) -> bool:
    """An operator may already be an elder, a volunteer or staff elsewhere: no conflict."""
    return False


def create_operator(db: UnitOfWorkFactory, caller: Caller, data: Mapping[str, Any],
                    now: dt.datetime) -> dict[str, Any]:
    caller.require(*ADMIN_ROLES)
    with db() as uow:
        carrier = _carrier(uow, data.get("carrier_id"))
        try:
            scope = check_grant(granter_of(caller), data["role"], data.get("scope_code"),
                                carrier["region_code"] if carrier else None)
        except DelegationRefused as exc:
            raise as_error(exc, {"role": data["role"], "scope_code": data.get("scope_code"),
                                 "your_scope": caller.scope}) from None
        _require_scope_region(uow, scope)
        resident = registration.parse_id_number(data["id_number"], china_date(now))
        registration.require_region(uow, data["region_code"])
        person = registration.person_for(uow, caller, data, resident, "operator",
                                         _holds_nothing_yet)
        grant = grants.insert_grant(uow, person["id"], data["role"], scope,
                                    carrier["id"] if carrier else None, as_uuid(caller.person_id))
        if grant is None:
            raise Conflict("already_granted", "此人已在该范围内担任该角色",
                           "This person already holds this role in this scope",
                           {"person_id": str(person["id"]), "role": data["role"],
                            "scope_code": scope})
        login_created = registration.give_login(uow, person, data["initial_password"])
        uow.emit(OPERATOR_GRANTED, {
            "grant_id": str(grant["id"]), "person_id": str(person["id"]), "role": grant["role"],
            "scope_code": scope, "carrier_id": str(carrier["id"]) if carrier else None,
            "granted_by": caller.person_id}, scope)
        view = {**operator_view(grant, person),
                "login": "created" if login_created else "existing"}
        audit.record(uow, caller, "create_operator", "role_grant", grant["id"], scope, after=view)
        uow.commit()
    return view


def list_operators(db: UnitOfWorkFactory, caller: Caller,
                   query: Mapping[str, Any]) -> dict[str, Any]:
    """Active staff grants whose scope lies in the caller's (narrowed by ``region_code``)."""
    caller.require(*SUPERVISORS)
    prefix = listing_prefix(caller, query.get("region_code"))
    roles = [query["role"]] if query.get("role") else list(GRANTABLE_ROLES)
    with db() as uow:
        rows, total = grants.staff_grant_page(uow, roles, prefix, query["page"],
                                              query["page_size"])
    items = [operator_view(row, {"name": row["name"], "phone": row["phone"],
                                 "id_number": row["id_number"],
                                 "region_code": row["person_region_code"]}) for row in rows]
    return {"items": items, "total": total, "page": query["page"],
            "page_size": query["page_size"]}


def revoke_operator_grant(db: UnitOfWorkFactory, caller: Caller, grant_id: Any, reason: str,
                          now: dt.datetime) -> dict[str, Any]:
    """Mark the grant revoked: the next login or token refresh no longer carries the role."""
    caller.require(*ADMIN_ROLES)
    with db() as uow:
        grant = grants.get_grant(uow, grant_id, lock=True)
        if grant is None:
            raise NotFound("grant_not_found", "授权记录不存在", "No such grant",
                           {"grant_id": str(grant_id)})
        carrier = carriers.get_carrier(uow, grant["carrier_id"]) if grant["carrier_id"] else None
        try:
            check_revoke(granter_of(caller), caller.person_id, grant,
                         carrier["region_code"] if carrier else None)
        except DelegationRefused as exc:
            raise as_error(exc, {"grant_id": str(grant["id"]), "role": grant["role"],
                                 "scope_code": grant["scope_code"],
                                 "your_scope": caller.scope}) from None
        revoked = grants.revoke_grant(uow, grant["id"], as_uuid(caller.person_id), reason)
        # access tokens already issued still carry the role: the gateway refuses them from now on
        revoke_tokens(uow, now, person_id=grant["person_id"], reason="role_revoked")
        uow.emit(OPERATOR_REVOKED, {
            "grant_id": str(grant["id"]), "person_id": str(grant["person_id"]),
            "role": grant["role"], "scope_code": grant["scope_code"],
            "revoked_by": caller.person_id, "reason": reason}, grant["scope_code"])
        person = persons.get_person(uow, grant["person_id"])
        assert person is not None
        view = {**operator_view(revoked, person), "revoked_at": revoked["revoked_at"].isoformat(),
                "revoke_reason": revoked["revoke_reason"]}
        audit.record(uow, caller, "revoke_operator_grant", "role_grant", grant["id"],
                     grant["scope_code"], before=operator_view(grant, person), after=view)
        uow.commit()
    return view
