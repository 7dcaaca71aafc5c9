"""Professional qualifications (资质): adding, verifying, listing and expiring them.

Who adds: the volunteer themself or staff (``station_operator``, ``*_admin``) with the
volunteer's region in scope; qualifications start ``pending``. Who verifies: the same staff,
in scope, with the four-eyes rule of ``domain.review``. Who lists: the volunteer or staff
(auditors too) in scope. ``expire_qualifications`` (internal, scheduled) marks verified
qualifications past ``valid_until`` and emits ``qualification_expired`` once each.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import STAFF_ROLES, STATION_STAFF, Caller
from timebank_common.clock import china_date
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import NotFound

from ..adapters import persons, qualifications
from ..adapters.rows import as_uuid
from ..contracts import QUALIFICATION_EXPIRED, QUALIFICATION_VERIFIED
from ..domain.qualifications import QualificationRefused, check_new, is_valid
from ..domain.review import Reviewer, ReviewRefused, decide
from . import audit
from .refusals import as_error
from .views import qualification_view
from .volunteering import require_volunteer


def _is_self(caller: Caller, volunteer_id: Any) -> bool:
    return bool(caller.person_id) and caller.person_id == str(volunteer_id)


def add_qualification(db: UnitOfWorkFactory, caller: Caller, volunteer_id: Any,
                      data: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    today = china_date(now)
    if not _is_self(caller, volunteer_id):
        caller.require(*STATION_STAFF)
    with db() as uow:
        person, _ = require_volunteer(uow, volunteer_id)
        if not _is_self(caller, person["id"]):
            caller.require_scope(person["region_code"])
        try:
            check_new(data["valid_until"], today)
        except QualificationRefused as exc:
            raise as_error(exc, {"valid_until": data["valid_until"].isoformat()}) from None
        row = qualifications.insert_qualification(
            uow, person_id=person["id"], kind=data["kind"], number=data["number"].strip(),
            issuer=data["issuer"].strip(), valid_until=data["valid_until"],
            submitted_by=as_uuid(caller.person_id), submitted_at=now)
        audit.record(uow, caller, "add_qualification", "qualification", row["id"],
                     person["region_code"], after=row)
        uow.commit()
    return qualification_view(row, today)


def verify_qualification(db: UnitOfWorkFactory, caller: Caller, qualification_id: Any,
                         data: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    today = china_date(now)
    caller.require(*STATION_STAFF)
    with db() as uow:
        row = qualifications.get_qualification(uow, qualification_id, lock=True)
        if row is None:
            raise NotFound("qualification_not_found", "未找到该资质记录", "No such qualification",
                           {"qualification_id": str(qualification_id)})
        person = persons.get_person(uow, row["person_id"])
        assert person is not None
        caller.require_scope(person["region_code"])
        try:
            status = decide(row["status"], data["decision"], data.get("reason"),
                            row["submitted_by"], Reviewer(caller.person_id, caller.roles),
                            about=(row["person_id"],))
        except ReviewRefused as exc:
            raise as_error(exc, {"qualification_id": str(row["id"])}) from None
        before = row
        row = qualifications.decide_qualification(uow, row["id"], status,
                                                  as_uuid(caller.person_id), data.get("reason"))
        audit.record(uow, caller, "verify_qualification", "qualification", row["id"],
                     person["region_code"], before=before, after=row)
        if is_valid(row["status"], row["valid_until"], today):  # matching learns the new kind
            uow.emit(QUALIFICATION_VERIFIED, {
                "person_id": str(row["person_id"]), "kind": row["kind"],
                "qualification_id": str(row["id"]), "valid_until": row["valid_until"],
                "region_code": person["region_code"]}, person["region_code"])
        uow.commit()
    return qualification_view(row, today)


def list_qualifications(db: UnitOfWorkFactory, caller: Caller, volunteer_id: Any,
                        now: dt.datetime) -> dict[str, Any]:
    if not _is_self(caller, volunteer_id):
        caller.require(*STAFF_ROLES)
    with db() as uow:
        person, _ = require_volunteer(uow, volunteer_id)
        if not _is_self(caller, person["id"]):
            caller.require_scope(person["region_code"])
        rows = qualifications.qualifications_of(uow, person["id"])
    today = china_date(now)
    return {"person_id": str(person["id"]),
            "items": [qualification_view(r, today) for r in rows]}


def expire_qualifications(db: UnitOfWorkFactory, now: dt.datetime) -> dict[str, Any]:
    """Mark verified qualifications past ``valid_until``; one ``qualification_expired`` each."""
    expired = []
    with db() as uow:
        for row in qualifications.expiring_qualifications(uow, china_date(now)):
            person = persons.get_person(uow, row["person_id"])
            assert person is not None
            qualifications.mark_expired(uow, row["id"])
            uow.emit(QUALIFICATION_EXPIRED, {
                "person_id": str(row["person_id"]), "kind": row["kind"],
                "qualification_id": str(row["id"]), "region_code": person["region_code"]},
                person["region_code"])
            expired.append(str(row["id"]))
        uow.commit()
    return {"expired": expired}
