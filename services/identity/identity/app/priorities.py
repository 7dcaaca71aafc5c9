"""Priority elders (优先/困难老人): submitting, verifying and withdrawing hardship
categories, and 高龄 granted by rule.

Staff (station operators and admins) with the elder's region in scope submit a
category with evidence; another staff member verifies it (``domain.review``: four-eyes,
county-level and higher admins exempt). A verified category emits
``elder_priority_granted``; withdrawing it (staff in scope, with a reason; not by the elder
themself) emits ``elder_priority_revoked`` and the ledger stops the grant from the next
period. ``advanced_age`` is derived from the birth date, never stored as a category: its
``elder_priority_granted`` (``verified_by`` null) is emitted once per elder, in the
registration of an elder already 80 or older, otherwise by the daily sweep (``age_grants``)
on the day the elder turns 80; it cannot be withdrawn.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.clock import china_date
from timebank_common.db import UnitOfWork, UnitOfWorkFactory
from timebank_common.errors import NotFound
from timebank_common.regions import prefix_of

from ..adapters import persons, priorities
from ..adapters.rows import as_uuid
from ..contracts import ELDER_PRIORITY_GRANTED, ELDER_PRIORITY_REVOKED
from ..domain.id_numbers import age_at
from ..domain.priority import (
    PriorityRefused,
    check_revocation,
    check_submission,
    priority_categories,
)
from ..domain.review import VERIFIED, Reviewer, ReviewRefused, decide
from . import audit
from .refusals import as_error
from .registration import require_person
from .views import priority_view


def require_elder(uow: UnitOfWork, elder_id: Any) -> dict[str, Any]:
    person = require_person(uow, elder_id)
    if persons.get_elder_profile(uow, person["id"]) is None:
        raise NotFound("elder_not_found", "此人没有老年人档案",
                       "This person has no elder profile", {"person_id": str(elder_id)})
    return person


def _elder_in_scope(uow: UnitOfWork, caller: Caller, elder_id: Any) -> dict[str, Any]:
    caller.require(*STATION_STAFF)
    elder = require_elder(uow, elder_id)
    caller.require_scope(elder["region_code"])
    return elder


def submit_priority(db: UnitOfWorkFactory, caller: Caller, elder_id: Any,
                    data: Mapping[str, Any]) -> dict[str, Any]:
    with db() as uow:
        elder = _elder_in_scope(uow, caller, elder_id)
        category = data["category"]
        persons.lock_key(uow, "priority", f"{elder['id']}:{category}")
        existing = priorities.get_priority(uow, elder["id"], category)
        try:
            evidence = check_submission(category, data.get("evidence"),
                                        existing["status"] if existing else None)
        except PriorityRefused as exc:
            raise as_error(exc, {"person_id": str(elder["id"]), "category": category}) from None
        row = priorities.save_priority_submission(uow, elder["id"], category, evidence,
                                                  as_uuid(caller.person_id))
        audit.record(uow, caller, "submit_priority", "elder_priority",
                     f"{elder['id']}:{category}", elder["region_code"], before=existing, after=row)
        uow.commit()
    return priority_view(row)


def verify_priority(db: UnitOfWorkFactory, caller: Caller, elder_id: Any, category: Any,
                    data: Mapping[str, Any]) -> dict[str, Any]:
    with db() as uow:
        elder = _elder_in_scope(uow, caller, elder_id)
        details = {"person_id": str(elder["id"]), "category": category}
        row = priorities.get_priority(uow, elder["id"], str(category), lock=True)
        if row is None:
            raise NotFound("priority_not_found", "该老人没有提交过此困难类别",
                           "No such hardship category was submitted for this elder", details)
        try:
            status = decide(row["status"], data["decision"], data.get("reason"),
                            row["submitted_by"], Reviewer(caller.person_id, caller.roles),
                            about=(elder["id"],))
        except ReviewRefused as exc:
            raise as_error(exc, details) from None
        before = row
        row = priorities.decide_priority(uow, elder["id"], row["category"], status,
                                         as_uuid(caller.person_id), data.get("reason"))
        audit.record(uow, caller, "verify_priority", "elder_priority",
                     f"{elder['id']}:{row['category']}", elder["region_code"], before=before,
                     after=row)
        if status == VERIFIED:
            uow.emit(ELDER_PRIORITY_GRANTED, {
                "person_id": str(elder["id"]), "category": row["category"],
                "region_code": elder["region_code"], "verified_by": caller.person_id},
                elder["region_code"])
        uow.commit()
    return priority_view(row)


def revoke_priority(db: UnitOfWorkFactory, caller: Caller, elder_id: Any, category: Any,
                    data: Mapping[str, Any]) -> dict[str, Any]:
    with db() as uow:
        elder = _elder_in_scope(uow, caller, elder_id)
        details = {"person_id": str(elder["id"]), "category": str(category)}
        if caller.person_id == str(elder["id"]):
            raise as_error(ReviewRefused("own_record"), details)
        row = priorities.get_priority(uow, elder["id"], str(category), lock=True)
        try:
            reason = check_revocation(str(category), row["status"] if row else None,
                                      data.get("reason"))
        except PriorityRefused as exc:
            raise as_error(exc, details) from None
        assert row is not None
        before = row
        row = priorities.revoke_priority(uow, elder["id"], row["category"], reason)
        audit.record(uow, caller, "revoke_priority", "elder_priority",
                     f"{elder['id']}:{row['category']}", elder["region_code"], before=before,
                     after=row)
        uow.emit(ELDER_PRIORITY_REVOKED, {
            "person_id": str(elder["id"]), "category": row["category"],
            "region_code": elder["region_code"], "reason": reason,
            "revoked_by": caller.person_id}, elder["region_code"])
        uow.commit()
    return priority_view(row)


def priority_elders(db: UnitOfWorkFactory, region_code: str,
                    now: dt.datetime) -> list[dict[str, Any]]:
    """Internal (the ledger's pool allocation): the priority elders of a region — those with
    a verified hardship category or aged 80+ — as ``{person_id, region_code, categories,
    birth_date, phone_only}``. No name, number or phone leaves identity."""
    today = china_date(now)
    with db() as uow:
        rows = persons.elders_in_region(uow, prefix_of(region_code))
    out = []
    for row in rows:
        categories = priority_categories(row["categories"] or [],
                                         age_at(row["birth_date"], today))
        if categories:
            out.append({"person_id": str(row["id"]), "region_code": row["region_code"],
                        "categories": categories, "birth_date": row["birth_date"].isoformat(),
                        "phone_only": row["phone_only"]})
    return out
