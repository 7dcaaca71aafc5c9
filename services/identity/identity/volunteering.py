"""A volunteer's eligibility facts: trainings, screening, national registry status, health
self-declaration and background tags; the computed eligibility and its events.

Eligibility is computed from these facts (``domain.eligibility``), never typed in. Every
change recomputes it in the same unit of work and emits ``volunteer_eligible`` or
``volunteer_suspended`` when it differs from the last one announced; a daily sweep
(``reassess_batch``) catches the changes that come from time alone. Writers: staff
(``station_operator``, ``*_admin``) with the volunteer's region in scope; the volunteer
may also declare their own health. Each function runs inside the caller's unit of work.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from timebank_common.caller import ADMIN_ROLES, STAFF_ROLES, Caller
from timebank_common.clock import CHINA
from timebank_common.errors import NotFound, RuleViolation

from . import audit
from . import repository as repo
from . import volunteer_repository as vrepo
from .domain.eligibility import VolunteerFacts, volunteer_reasons
from .domain.id_numbers import age_at
from .domain.qualifications import valid_kinds
from .domain.training_policy import required_hours
from .schemas import VolunteerEligiblePayload, VolunteerSuspendedPayload

WRITERS = ("station_operator", *ADMIN_ROLES)
INDUCTION_COURSE = "平台入门培训 platform induction"


def _float(value: Decimal) -> float:
    return float(value)


def assess(uow, person: dict, profile: dict, today: dt.date) -> dict:
    """``{eligible, reasons, training_hours, required_hours}`` as of ``today``."""
    done = vrepo.training_hours(uow, person["id"])
    needed = required_hours(vrepo.training_policies_for(uow, person["region_code"], today),
                            person["region_code"], today)
    reasons = volunteer_reasons(VolunteerFacts(
        age=age_at(person["birth_date"], today), volunteer_number=profile["volunteer_number"],
        registry_status=profile["registry_status"], screening=profile["screening"],
        training_hours=done, required_hours=needed,
        health_declared=profile["health_declared_at"] is not None))
    return {"eligible": not reasons, "reasons": reasons, "training_hours": _float(done),
            "required_hours": _float(needed)}


def announce_if_changed(uow, person: dict, after: dict) -> None:
    """``volunteer_eligible`` / ``volunteer_suspended`` when the computed eligibility differs
    from the last one announced (``announced_eligible`` on the profile; a new volunteer starts
    as not eligible, so one who is not yet eligible is not announced)."""
    profile = repo.get_volunteer_profile(uow, person["id"])
    if bool(profile["announced_eligible"]) == after["eligible"]:
        return
    vrepo.update_volunteer_profile(uow, person["id"], announced_eligible=after["eligible"])
    region = person["region_code"]
    if after["eligible"]:
        kinds = valid_kinds(vrepo.qualifications_of(uow, person["id"]),
                            dt.datetime.now(CHINA).date())
        uow.emit("volunteer_eligible", VolunteerEligiblePayload().dump(
            {"person_id": str(person["id"]), "region_code": region, "qualifications": kinds}),
            region)
    else:
        uow.emit("volunteer_suspended", VolunteerSuspendedPayload().dump(
            {"person_id": str(person["id"]), "region_code": region,
             "reasons": [r["code"] for r in after["reasons"]],
             "reason_texts": after["reasons"]}), region)


def reassess_batch(uow, today: dt.date, batch_size: int) -> int:
    """Reassess up to ``batch_size`` volunteers not yet checked ``today`` (rows taken SKIP
    LOCKED, so several processes share the work): eligibility also changes with time alone —
    a training policy taking effect, a birthday. Returns how many were checked."""
    checked = 0
    for person_id in vrepo.take_unchecked_volunteers(uow, today, batch_size):
        person = repo.get_person(uow, person_id)
        profile = repo.get_volunteer_profile(uow, person_id)
        announce_if_changed(uow, person, assess(uow, person, profile, today))
        vrepo.update_volunteer_profile(uow, person_id, eligibility_checked_on=today)
        checked += 1
    return checked


def require_volunteer(uow, volunteer_id, lock: bool = False) -> tuple[dict, dict]:
    person = repo.get_person(uow, volunteer_id)
    if person is None:
        raise NotFound("person_not_found", "未找到此人", "No such person",
                       {"person_id": str(volunteer_id)})
    profile = (vrepo.lock_volunteer_profile(uow, person["id"]) if lock
               else repo.get_volunteer_profile(uow, person["id"]))
    if profile is None:
        raise NotFound("volunteer_not_found", "未找到该志愿者", "No such volunteer",
                       {"person_id": str(volunteer_id)})
    return person, profile


def _in_scope(uow, caller: Caller, volunteer_id, allow_self: bool = False) -> tuple[dict, dict]:
    """The volunteer (profile locked) if the caller may change their facts."""
    if not (allow_self and caller.person_id and caller.person_id == str(volunteer_id)):
        caller.require(*WRITERS)
    person, profile = require_volunteer(uow, volunteer_id, lock=True)
    if not (allow_self and caller.person_id == str(person["id"])):
        caller.require_scope(person["region_code"])
    return person, profile


def _change(uow, person: dict, profile: dict, today: dt.date, **values) -> dict:
    """Update the profile (when ``values``), emit on a flip; the new assessment."""
    if values:
        profile = vrepo.update_volunteer_profile(uow, person["id"], **values)
    after = assess(uow, person, profile, today)
    announce_if_changed(uow, person, after)
    return after


def eligibility_view(person: dict, profile: dict, assessment: dict) -> dict:
    return {"person_id": str(person["id"]), "region_code": person["region_code"], **assessment,
            "volunteer_number": profile["volunteer_number"],
            "registry_status": profile["registry_status"], "screening": profile["screening"],
            "health_declared": profile["health_declared_at"] is not None,
            "background_tags": list(profile["background_tags"] or [])}


def eligibility(uow, caller: Caller, volunteer_id, today: dt.date) -> dict:
    """The volunteer themself, or staff (auditors too) with the region in scope."""
    if caller.person_id != str(volunteer_id):
        caller.require(*STAFF_ROLES)
    person, profile = require_volunteer(uow, volunteer_id)
    if caller.person_id != str(person["id"]):
        caller.require_scope(person["region_code"])
    return eligibility_view(person, profile, assess(uow, person, profile, today))


def add_training(uow, person: dict, data: dict, recorded_by) -> dict:
    return vrepo.insert_training(uow, person_id=person["id"], course=data["course"],
                                 organiser=data["organiser"], date=data["date"],
                                 hours=Decimal(str(data["hours"])), recorded_by=recorded_by)


def record_training(uow, caller: Caller, volunteer_id, data: dict, today: dt.date) -> dict:
    person, profile = _in_scope(uow, caller, volunteer_id)
    if data["date"] > today:
        raise RuleViolation("training_in_future", "培训日期不能晚于今天",
                            "The training date cannot be in the future", {"date": str(data["date"])})
    row = add_training(uow, person, data, repo.as_uuid(caller.person_id))
    after = assess(uow, person, profile, today)
    announce_if_changed(uow, person, after)
    audit.record(uow, caller, "record_training", "volunteer", person["id"],
                 person["region_code"], after=row)
    return {"training_id": str(row["id"]), "person_id": str(person["id"]),
            "course": row["course"], "organiser": row["organiser"],
            "date": row["date"].isoformat(), "hours": float(row["hours"]),
            "recorded_by": caller.person_id, "eligibility": eligibility_view(person, profile, after)}


def _answer(uow, person, today, audited: tuple | None = None) -> dict:
    """The volunteer's eligibility now; ``audited``: ``(caller, action, profile before)`` to
    record the change in the audit log."""
    profile = repo.get_volunteer_profile(uow, person["id"])
    if audited:
        caller, action, before = audited
        audit.record(uow, caller, action, "volunteer", person["id"], person["region_code"],
                     before=before, after=profile)
    return eligibility_view(person, profile, assess(uow, person, profile, today))


def set_screening(uow, caller: Caller, volunteer_id, data: dict, today: dt.date) -> dict:
    person, profile = _in_scope(uow, caller, volunteer_id)
    _change(uow, person, profile, today, screening=data["result"], screening_note=data.get("note"),
            screening_set_by=repo.as_uuid(caller.person_id), screening_set_at=dt.datetime.now(dt.UTC))
    return _answer(uow, person, today, (caller, "set_screening", profile))


def apply_registry_status(uow, person: dict, profile: dict, status: str, note, set_by,
                          today: dt.date) -> bool:
    """Set the registry status; False (and nothing written) when it already was ``status``."""
    if profile["registry_status"] == status:
        return False
    _change(uow, person, profile, today, registry_status=status, registry_note=note,
            registry_set_by=set_by, registry_set_at=dt.datetime.now(dt.UTC))
    return True


def set_registry_status(uow, caller: Caller, volunteer_id, data: dict, today: dt.date) -> dict:
    person, profile = _in_scope(uow, caller, volunteer_id)
    apply_registry_status(uow, person, profile, data["status"], data.get("note"),
                          repo.as_uuid(caller.person_id), today)
    return _answer(uow, person, today, (caller, "set_registry_status", profile))


def declare_health(uow, caller: Caller, volunteer_id, data: dict, today: dt.date) -> dict:
    """The volunteer themself, or staff in scope on their behalf."""
    person, profile = _in_scope(uow, caller, volunteer_id, allow_self=True)
    _change(uow, person, profile, today, health_declared_at=dt.datetime.now(dt.UTC),
            health_note=data.get("note"), health_declared_by=repo.as_uuid(caller.person_id))
    return _answer(uow, person, today, (caller, "declare_health", profile))


def set_background_tags(uow, caller: Caller, volunteer_id, data: dict, today: dt.date) -> dict:
    """Background tags are kept for statistics; they never change eligibility."""
    person, profile = _in_scope(uow, caller, volunteer_id)
    vrepo.update_volunteer_profile(uow, person["id"], background_tags=sorted(set(data["tags"])))
    return _answer(uow, person, today, (caller, "set_background_tags", profile))


def eligible_page(uow, after: str | None, limit: int, today: dt.date) -> dict:
    """A page of eligible volunteers with the qualification kinds valid ``today`` (matching's
    rebuild): ``{items: [{person_id, region_code, qualifications}], next_after}``."""
    page = vrepo.eligible_volunteers_page(uow, after, limit)
    items = [{"person_id": str(v["person_id"]), "region_code": v["region_code"],
              "qualifications": valid_kinds(v["qualifications"], today)} for v in page]
    return {"items": items,
            "next_after": items[-1]["person_id"] if len(items) == limit else None}
