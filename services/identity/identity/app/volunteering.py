"""A volunteer's eligibility facts: trainings, screening, national registry status, health
self-declaration and background tags; the computed eligibility and its events.

Eligibility is computed from these facts (``domain.eligibility``), never typed in. Every
change recomputes it in the same unit of work and emits ``volunteer_eligible`` or
``volunteer_suspended`` when it differs from the last one announced; a daily sweep
(``reassess_volunteers``) catches the changes that come from time alone. Writers: staff
(``station_operator``, ``*_admin``) with the volunteer's region in scope; the volunteer
may also declare their own health.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from timebank_common.caller import STAFF_ROLES, STATION_STAFF, Caller
from timebank_common.clock import china_date
from timebank_common.db import UnitOfWork, UnitOfWorkFactory
from timebank_common.errors import NotFound, RuleViolation

from ..adapters import persons, qualifications, volunteers
from ..adapters.rows import as_uuid
from ..contracts import VOLUNTEER_ELIGIBLE, VOLUNTEER_SUSPENDED
from ..domain.eligibility import VolunteerFacts, volunteer_reasons
from ..domain.id_numbers import age_at
from ..domain.qualifications import valid_kinds
from ..domain.training_policy import required_hours
from . import audit
from .views import eligibility_view

INDUCTION_COURSE = "平台入门培训 platform induction"


def assess(uow: UnitOfWork, person: Mapping[str, Any], profile: Mapping[str, Any],
           today: dt.date) -> dict[str, Any]:
    """``{eligible, reasons, training_hours, required_hours}`` as of ``today``."""
    done = volunteers.training_hours(uow, person["id"])
    needed = required_hours(
        volunteers.training_policies_for(uow, person["region_code"], today),
        person["region_code"], today)
    reasons = volunteer_reasons(VolunteerFacts(
        age=age_at(person["birth_date"], today), volunteer_number=profile["volunteer_number"],
        registry_status=profile["registry_status"], screening=profile["screening"],
        training_hours=done, required_hours=needed,
        health_declared=profile["health_declared_at"] is not None,
        standing=person.get("status") or "active"))
    return {"eligible": not reasons, "reasons": reasons, "training_hours": float(done),
            "required_hours": float(needed)}


def announce_if_changed(uow: UnitOfWork, person: Mapping[str, Any], after: Mapping[str, Any],
                        today: dt.date) -> None:
    """``volunteer_eligible`` / ``volunteer_suspended`` when the computed eligibility differs
    from the last one announced (``announced_eligible`` on the profile; a new volunteer starts
    as not eligible, so one who is not yet eligible is not announced)."""
    profile = volunteers.get_volunteer_profile(uow, person["id"])
    assert profile is not None
    if bool(profile["announced_eligible"]) == after["eligible"]:
        return
    volunteers.update_volunteer_profile(uow, person["id"], announced_eligible=after["eligible"])
    region = person["region_code"]
    if after["eligible"]:
        kinds = valid_kinds(qualifications.qualifications_of(uow, person["id"]), today)
        uow.emit(VOLUNTEER_ELIGIBLE, {"person_id": str(person["id"]), "region_code": region,
                                      "qualifications": kinds}, region)
    else:
        uow.emit(VOLUNTEER_SUSPENDED, {
            "person_id": str(person["id"]), "region_code": region,
            "reasons": [r["code"] for r in after["reasons"]],
            "reason_texts": after["reasons"]}, region)


def reassess_volunteers(db: UnitOfWorkFactory, now: dt.datetime,
                        batch_size: int = 500) -> dict[str, Any]:
    """Reassess every volunteer not yet checked today, in batches of one transaction each
    (rows taken SKIP LOCKED, so several processes share the work): eligibility also changes
    with time alone — a training policy taking effect, a birthday. Idempotent within a day."""
    today, total = china_date(now), 0
    while True:
        with db() as uow:
            checked = 0
            for person_id in volunteers.take_unchecked_volunteers(uow, today, batch_size):
                person = persons.get_person(uow, person_id)
                profile = volunteers.get_volunteer_profile(uow, person_id)
                assert person is not None and profile is not None
                announce_if_changed(uow, person, assess(uow, person, profile, today), today)
                volunteers.update_volunteer_profile(uow, person_id, eligibility_checked_on=today)
                checked += 1
            uow.commit()
        total += checked
        if checked < batch_size:
            return {"checked": total, "on": today.isoformat()}


def require_volunteer(uow: UnitOfWork, volunteer_id: Any,
                      lock: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    person = persons.get_person(uow, volunteer_id)
    if person is None:
        raise NotFound("person_not_found", "未找到此人", "No such person",
                       {"person_id": str(volunteer_id)})
    profile = (volunteers.lock_volunteer_profile(uow, person["id"]) if lock
               else volunteers.get_volunteer_profile(uow, person["id"]))
    if profile is None:
        raise NotFound("volunteer_not_found", "未找到该志愿者", "No such volunteer",
                       {"person_id": str(volunteer_id)})
    return person, profile


def _in_scope(uow: UnitOfWork, caller: Caller, volunteer_id: Any,
              allow_self: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """The volunteer (profile locked) if the caller may change their facts."""
    if not (allow_self and caller.person_id and caller.person_id == str(volunteer_id)):
        caller.require(*STATION_STAFF)
    person, profile = require_volunteer(uow, volunteer_id, lock=True)
    if not (allow_self and caller.person_id == str(person["id"])):
        caller.require_scope(person["region_code"])
    return person, profile


def _change(uow: UnitOfWork, person: Mapping[str, Any], profile: Mapping[str, Any],
            today: dt.date, **values: Any) -> dict[str, Any]:
    """Update the profile (when ``values``), emit on a flip; the new assessment."""
    if values:
        profile = volunteers.update_volunteer_profile(uow, person["id"], **values)
    after = assess(uow, person, profile, today)
    announce_if_changed(uow, person, after, today)
    return after


def volunteer_check(db: UnitOfWorkFactory, person_id: Any, now: dt.datetime) -> dict[str, Any]:
    """Internal: whether the volunteer may serve today, and the qualification kinds valid."""
    today = china_date(now)
    with db() as uow:
        person = persons.get_person(uow, person_id)
        profile = volunteers.get_volunteer_profile(uow, person_id) if person else None
        if person is None or profile is None:
            raise NotFound("volunteer_not_found", "未找到该志愿者", "No such volunteer",
                           {"person_id": person_id})
        assessment = assess(uow, person, profile, today)
        held = qualifications.qualifications_of(uow, person["id"])
    return {"person_id": str(person["id"]), "name": person["name"],
            "region_code": person["region_code"], "eligible": assessment["eligible"],
            "reasons": assessment["reasons"], "qualifications": valid_kinds(held, today)}


def eligibility(db: UnitOfWorkFactory, caller: Caller, volunteer_id: Any,
                now: dt.datetime) -> dict[str, Any]:
    """The volunteer themself, or staff (auditors too) with the region in scope."""
    if caller.person_id != str(volunteer_id):
        caller.require(*STAFF_ROLES)
    with db() as uow:
        person, profile = require_volunteer(uow, volunteer_id)
        if caller.person_id != str(person["id"]):
            caller.require_scope(person["region_code"])
        return eligibility_view(person, profile, assess(uow, person, profile, china_date(now)))


def add_training(uow: UnitOfWork, person: Mapping[str, Any], data: Mapping[str, Any],
                 recorded_by: Any) -> dict[str, Any]:
    return volunteers.insert_training(uow, person_id=person["id"], course=data["course"],
                                      organiser=data["organiser"], date=data["date"],
                                      hours=Decimal(str(data["hours"])), recorded_by=recorded_by)


def record_training(db: UnitOfWorkFactory, caller: Caller, volunteer_id: Any,
                    data: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    today = china_date(now)
    with db() as uow:
        person, profile = _in_scope(uow, caller, volunteer_id)
        if data["date"] > today:
            raise RuleViolation("training_in_future", "培训日期不能晚于今天",
                                "The training date cannot be in the future",
                                {"date": str(data["date"])})
        row = add_training(uow, person, data, as_uuid(caller.person_id))
        after = assess(uow, person, profile, today)
        announce_if_changed(uow, person, after, today)
        audit.record(uow, caller, "record_training", "volunteer", person["id"],
                     person["region_code"], after=row)
        uow.commit()
    return {"training_id": str(row["id"]), "person_id": str(person["id"]),
            "course": row["course"], "organiser": row["organiser"],
            "date": row["date"].isoformat(), "hours": float(row["hours"]),
            "recorded_by": caller.person_id, "eligibility": eligibility_view(person, profile, after)}


def _answer(uow: UnitOfWork, person: Mapping[str, Any], today: dt.date, caller: Caller,
            action: str, before: Mapping[str, Any]) -> dict[str, Any]:
    """The volunteer's eligibility now, the change recorded in the audit log (``before``:
    the profile before it)."""
    profile = volunteers.get_volunteer_profile(uow, person["id"])
    assert profile is not None
    audit.record(uow, caller, action, "volunteer", person["id"], person["region_code"],
                 before=before, after=profile)
    return eligibility_view(person, profile, assess(uow, person, profile, today))


def set_screening(db: UnitOfWorkFactory, caller: Caller, volunteer_id: Any,
                  data: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    today = china_date(now)
    with db() as uow:
        person, profile = _in_scope(uow, caller, volunteer_id)
        _change(uow, person, profile, today, screening=data["result"],
                screening_note=data.get("note"), screening_set_by=as_uuid(caller.person_id),
                screening_set_at=now)
        answer = _answer(uow, person, today, caller, "set_screening", profile)
        uow.commit()
    return answer


def apply_registry_status(uow: UnitOfWork, person: Mapping[str, Any],
                          profile: Mapping[str, Any], status: str, note: str | None,
                          set_by: Any, now: dt.datetime) -> bool:
    """Set the registry status; False (and nothing written) when it already was ``status``."""
    if profile["registry_status"] == status:
        return False
    _change(uow, person, profile, china_date(now), registry_status=status, registry_note=note,
            registry_set_by=set_by, registry_set_at=now)
    return True


def set_registry_status(db: UnitOfWorkFactory, caller: Caller, volunteer_id: Any,
                        data: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    with db() as uow:
        person, profile = _in_scope(uow, caller, volunteer_id)
        apply_registry_status(uow, person, profile, data["status"], data.get("note"),
                              as_uuid(caller.person_id), now)
        answer = _answer(uow, person, china_date(now), caller, "set_registry_status", profile)
        uow.commit()
    return answer


def declare_health(db: UnitOfWorkFactory, caller: Caller, volunteer_id: Any,
                   data: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    """The volunteer themself, or staff in scope on their behalf."""
    today = china_date(now)
    with db() as uow:
        person, profile = _in_scope(uow, caller, volunteer_id, allow_self=True)
        _change(uow, person, profile, today, health_declared_at=now,
                health_note=data.get("note"), health_declared_by=as_uuid(caller.person_id))
        answer = _answer(uow, person, today, caller, "declare_health", profile)
        uow.commit()
    return answer


def set_background_tags(db: UnitOfWorkFactory, caller: Caller, volunteer_id: Any,
                        data: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    """Background tags are kept for statistics; they never change eligibility."""
    with db() as uow:
        person, profile = _in_scope(uow, caller, volunteer_id)
        volunteers.update_volunteer_profile(uow, person["id"],
                                            background_tags=sorted(set(data["tags"])))
        answer = _answer(uow, person, china_date(now), caller, "set_background_tags", profile)
        uow.commit()
    return answer


def eligible_page(db: UnitOfWorkFactory, after: str | None, limit: int,
                  now: dt.datetime) -> dict[str, Any]:
    """A page of eligible volunteers with the qualification kinds valid today (matching's
    rebuild): ``{items: [{person_id, region_code, qualifications}], next_after}``."""
    today = china_date(now)
    with db() as uow:
        page = volunteers.eligible_volunteers_page(uow, after, limit)
    items = [{"person_id": str(v["person_id"]), "region_code": v["region_code"],
              "qualifications": valid_kinds(v["qualifications"], today)} for v in page]
    return {"items": items,
            "next_after": items[-1]["person_id"] if len(items) == limit else None}
