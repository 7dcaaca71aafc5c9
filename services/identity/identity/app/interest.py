"""Interest in volunteering (我要当志愿者, ``domain.interest``): a resident registers without a
login and learns what eligibility will need; the staff of their community list the
registrations and follow them up (contacted, declined, or registered as a volunteer), audited.

The public registration takes no caller: the gateway's ``public`` rate class limits it per
client address. A second submission of the same mobile in the same community while the first
is open answers the first (``created: false``), so a resident who presses twice, or comes back
to see their reference, makes one row.
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.clock import china_date
from timebank_common.db import UnitOfWork, UnitOfWorkFactory
from timebank_common.errors import NotFound, RuleViolation

from ..adapters import interest, regions, volunteers
from ..adapters.rows import as_uuid
from ..domain.interest import (
    InterestRefused,
    check_community,
    check_transition,
    reference_number,
    what_eligibility_needs,
)
from ..domain.masking import mask_phone
from ..domain.training_policy import required_hours
from . import audit
from .refusals import as_error
from .registration import require_person_in_scope
from .scope import listing_prefix

REFERENCE_ATTEMPTS = 5


def register_interest(db: UnitOfWorkFactory, data: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    """Record (or find the open) registration; the receipt with what eligibility needs."""
    today = china_date(now)
    with db() as uow:
        region = regions.get_region(uow, data["region_code"])
        try:
            check_community(data["region_code"], region["level"] if region else None)
        except InterestRefused as refusal:
            raise as_error(refusal, {"region_code": data["region_code"]}) from None
        assert region is not None  # a community of the province is a known region
        row = _insert(uow, data, now, today)
        created = row is not None
        if row is None:
            row = interest.open_registration(uow, data["phone"], data["region_code"])
        assert row is not None
        needed = required_hours(
            volunteers.training_policies_for(uow, data["region_code"], today),
            data["region_code"], today)
        uow.commit()
    return {"reference": row["reference"], "status": row["status"], "created": created,
            "region_code": row["region_code"], "region_name": region["name"],
            "required_training_hours": float(needed), "needs": what_eligibility_needs(needed)}


def _insert(uow: UnitOfWork, data: Mapping[str, Any], now: dt.datetime,
            today: dt.date) -> dict[str, Any] | None:
    for _ in range(REFERENCE_ATTEMPTS):
        reference = reference_number(today, secrets.randbelow(2 ** 30))
        if not interest.reference_taken(uow, reference):
            break
    return interest.insert_if_none_open(
        uow, reference=reference, name=data["name"].strip(), phone=data["phone"],
        region_code=data["region_code"], skills=_text(data.get("skills")),
        notes=_text(data.get("notes")), status="new", created_at=now, updated_at=now)


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def interest_view(row: Mapping[str, Any], unmasked: bool = False) -> dict[str, Any]:
    view = {
        "interest_id": str(row["id"]), "reference": row["reference"], "name": row["name"],
        "phone_masked": mask_phone(row["phone"]), "region_code": row["region_code"],
        "skills": row["skills"], "notes": row["notes"], "status": row["status"],
        "status_note": row["status_note"],
        "person_id": str(row["person_id"]) if row["person_id"] else None,
        "status_changed_by": str(row["status_changed_by"]) if row["status_changed_by"] else None,
        "created_at": row["created_at"].isoformat(), "updated_at": row["updated_at"].isoformat(),
    }
    if unmasked:
        view["phone"] = row["phone"]
    return view


def list_interest(db: UnitOfWorkFactory, caller: Caller, query: Mapping[str, Any]) -> dict[str, Any]:
    """Registrations in the caller's scope (or ``region`` inside it), newest first."""
    caller.require(*STATION_STAFF)
    prefix = listing_prefix(caller, query.get("region"))
    with db() as uow:
        rows, total = interest.registration_page(uow, prefix, query.get("status"),
                                                 query["page"], query["page_size"])
    return {"items": [interest_view(r) for r in rows], "total": total,
            "page": query["page"], "page_size": query["page_size"]}


def _require_in_scope(uow: UnitOfWork, caller: Caller, interest_id: Any,
                      lock: bool = False) -> dict[str, Any]:
    """The registration if the caller's scope covers its community; an unknown id and one
    elsewhere answer alike (404)."""
    row = interest.get_registration(uow, interest_id, lock=lock)
    if row is None or not caller.covers(row["region_code"]):
        raise NotFound("interest_not_found", "未找到该志愿意向登记",
                       "No such registration of interest", {"interest_id": str(interest_id)})
    return row


def get_interest(db: UnitOfWorkFactory, caller: Caller, interest_id: Any, unmasked: bool) -> dict[str, Any]:
    """One registration; ``unmasked``: with the mobile, to call the person back (audited)."""
    caller.require(*STATION_STAFF)
    with db() as uow:
        row = _require_in_scope(uow, caller, interest_id)
        if unmasked:
            audit.record(uow, caller, "read_unmasked", "volunteer_interest", row["id"],
                         row["region_code"], after={"fields": ["phone"]})
            uow.commit()
    return interest_view(row, unmasked)


def set_interest_status(db: UnitOfWorkFactory, caller: Caller, interest_id: Any, data: Mapping[str, Any],
                        now: dt.datetime) -> dict[str, Any]:
    """Contacted, declined, or registered (naming the volunteer, who lives in the caller's
    scope); audited."""
    caller.require(*STATION_STAFF)
    with db() as uow:
        row = _require_in_scope(uow, caller, interest_id, lock=True)
        person_id = data.get("person_id")
        try:
            check_transition(row["status"], data["status"], person_id is not None)
        except InterestRefused as refusal:
            raise as_error(refusal, {"interest_id": str(row["id"]),
                                     "status": row["status"]}) from None
        if person_id is not None:
            _require_volunteer_in_scope(uow, caller, person_id)
        changed = interest.update_registration(
            uow, row["id"], status=data["status"], status_note=_text(data.get("note")),
            person_id=as_uuid(person_id), status_changed_by=as_uuid(caller.person_id),
            updated_at=now)
        audit.record(uow, caller, "set_interest_status", "volunteer_interest", row["id"],
                     row["region_code"], before={"status": row["status"]},
                     after={"status": changed["status"], "person_id": changed["person_id"]})
        uow.commit()
    return interest_view(changed)


def _require_volunteer_in_scope(uow: UnitOfWork, caller: Caller, person_id: Any) -> None:
    person = require_person_in_scope(uow, caller, person_id)
    if volunteers.get_volunteer_profile(uow, person["id"]) is None:
        raise RuleViolation("not_a_volunteer", "此人尚未登记为志愿者",
                            "This person is not registered as a volunteer",
                            {"person_id": str(person_id)})
