"""Professional qualifications (资质): adding, verifying, listing and expiring them.

Who adds: the volunteer themself or staff (``station_operator``, ``*_admin``) with the
volunteer's region in scope; qualifications start ``pending``. Who verifies: the same staff,
in scope, with the four-eyes rule of ``domain.review``. Who lists: the volunteer or staff
(auditors too) in scope. ``expire_qualifications`` (internal, to be scheduled) marks verified
qualifications past ``valid_until`` and emits ``qualification_expired`` once each.
Each function runs inside the caller's unit of work; the entrypoint commits.
"""
from __future__ import annotations

import datetime as dt

from timebank_common.caller import STAFF_ROLES, Caller
from timebank_common.errors import NotFound

from . import audit
from . import repository as repo
from . import volunteer_repository as vrepo
from .domain.qualifications import QualificationRefused, check_new, is_valid, kind_names
from .domain.review import Reviewer, ReviewRefused, decide
from .refusals import as_error
from .schemas import QualificationExpiredPayload, QualificationVerifiedPayload
from .volunteering import WRITERS, require_volunteer


def _str(value):
    return str(value) if value is not None else None


def _iso(value):
    return value.isoformat() if value is not None else None


def qualification_view(row: dict, today: dt.date) -> dict:
    return {"qualification_id": str(row["id"]), "person_id": str(row["person_id"]),
            "kind": row["kind"], "kind_name": kind_names(row["kind"]), "number": row["number"],
            "issuer": row["issuer"], "valid_until": row["valid_until"].isoformat(),
            "status": row["status"], "valid": is_valid(row["status"], row["valid_until"], today),
            "submitted_by": _str(row["submitted_by"]), "submitted_at": _iso(row["submitted_at"]),
            "verified_by": _str(row["verified_by"]), "verified_at": _iso(row["verified_at"]),
            "reason": row["reason"], "expired_at": _iso(row["expired_at"])}


def _is_self(caller: Caller, volunteer_id) -> bool:
    return bool(caller.person_id) and caller.person_id == str(volunteer_id)


def add_qualification(uow, caller: Caller, volunteer_id, data: dict, today: dt.date) -> dict:
    if not _is_self(caller, volunteer_id):
        caller.require(*WRITERS)
    person, _ = require_volunteer(uow, volunteer_id)
    if not _is_self(caller, person["id"]):
        caller.require_scope(person["region_code"])
    try:
        check_new(data["valid_until"], today)
    except QualificationRefused as exc:
        raise as_error(exc, {"valid_until": data["valid_until"].isoformat()}) from None
    row = vrepo.insert_qualification(
        uow, person_id=person["id"], kind=data["kind"], number=data["number"].strip(),
        issuer=data["issuer"].strip(), valid_until=data["valid_until"],
        submitted_by=repo.as_uuid(caller.person_id))
    audit.record(uow, caller, "add_qualification", "qualification", row["id"],
                 person["region_code"], after=row)
    return qualification_view(row, today)


def verify_qualification(uow, caller: Caller, qualification_id, data: dict,
                         today: dt.date) -> dict:
    caller.require(*WRITERS)
    row = vrepo.get_qualification(uow, qualification_id, lock=True)
    if row is None:
        raise NotFound("qualification_not_found", "未找到该资质记录", "No such qualification",
                       {"qualification_id": str(qualification_id)})
    person = repo.get_person(uow, row["person_id"])
    caller.require_scope(person["region_code"])
    try:
        status = decide(row["status"], data["decision"], data.get("reason"), row["submitted_by"],
                        Reviewer(caller.person_id, caller.roles), about=(row["person_id"],))
    except ReviewRefused as exc:
        raise as_error(exc, {"qualification_id": str(row["id"])}) from None
    before = row
    row = vrepo.decide_qualification(uow, row["id"], status, repo.as_uuid(caller.person_id),
                                     data.get("reason"))
    audit.record(uow, caller, "verify_qualification", "qualification", row["id"],
                 person["region_code"], before=before, after=row)
    if is_valid(row["status"], row["valid_until"], today):  # matching learns the new kind
        uow.emit("qualification_verified", QualificationVerifiedPayload().dump({
            "person_id": str(row["person_id"]), "kind": row["kind"],
            "qualification_id": str(row["id"]), "valid_until": row["valid_until"],
            "region_code": person["region_code"]}), person["region_code"])
    return qualification_view(row, today)


def list_qualifications(uow, caller: Caller, volunteer_id, today: dt.date) -> dict:
    if not _is_self(caller, volunteer_id):
        caller.require(*STAFF_ROLES)
    person, _ = require_volunteer(uow, volunteer_id)
    if not _is_self(caller, person["id"]):
        caller.require_scope(person["region_code"])
    rows = vrepo.qualifications_of(uow, person["id"])
    return {"person_id": str(person["id"]),
            "items": [qualification_view(r, today) for r in rows]}


def expire_qualifications(uow, today: dt.date) -> dict:
    """Mark verified qualifications past ``valid_until``; one ``qualification_expired`` each."""
    expired = []
    for row in vrepo.expiring_qualifications(uow, today):
        person = repo.get_person(uow, row["person_id"])
        vrepo.mark_expired(uow, row["id"])
        payload = QualificationExpiredPayload().dump({
            "person_id": str(row["person_id"]), "kind": row["kind"],
            "qualification_id": str(row["id"]), "region_code": person["region_code"]})
        uow.emit("qualification_expired", payload, person["region_code"])
        expired.append(str(row["id"]))
    return {"expired": expired}
