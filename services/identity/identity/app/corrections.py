"""Correcting people (PATCH): the fields that change in life, each change audited with
masked before and after (``domain.masking``).

Who: staff who run a station's day (``STATION_STAFF``) with the person in scope (an
elder's own station operator too: their scope covers the elder); the person themself may
correct their own address (and an elder their emergency contact). The phone is the login
and the national volunteer number decides eligibility: staff change them after checking
the person's identity, never the person alone (403 ``staff_only_field``). A phone stays
unique across the province (409 ``phone_in_use``) and the login follows it; it can be
changed, not removed. A volunteer number is unique too (409 ``volunteer_number_in_use``);
adding or correcting it reassesses eligibility and announces ``volunteer_eligible`` when the
volunteer becomes eligible, as any other eligibility fact does.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.clock import china_date
from timebank_common.db import UnitOfWork, UnitOfWorkFactory
from timebank_common.errors import Conflict, Forbidden, NotFound

from ..adapters import credentials, persons, priorities, volunteers
from ..contracts import PERSON_REGISTRARS
from . import audit, volunteering
from .proxies import proxies_view
from .registration import claim_phone, require_person_in_scope, require_volunteer_registrar
from .views import elder_view, volunteer_view

PERSON_FIELDS = ("phone", "address")
SELF_FIELDS = frozenset({"address", "emergency_contact_name", "emergency_contact_phone"})


def _target(uow: UnitOfWork, caller: Caller, person_id: Any,
            data: Mapping[str, Any]) -> dict[str, Any]:
    """The person (locked) if the caller may make these changes: their own address and
    contact, or staff or a municipal system in scope (staff too change their own phone as
    staff, in scope)."""
    own = bool(caller.person_id) and caller.person_id == str(person_id)
    if own and set(data) <= SELF_FIELDS:
        person = persons.lock_person(uow, person_id)
        assert person is not None
        return person
    if own and not caller.has(*STATION_STAFF):
        raise Forbidden("staff_only_field", "这些信息须由服务站工作人员核实身份后修改",
                        "Staff change these after checking your identity",
                        {"fields": sorted(set(data) - SELF_FIELDS)})
    caller.require(*PERSON_REGISTRARS)
    return require_person_in_scope(uow, caller, person_id, lock=True)


def _change_phone(uow: UnitOfWork, person: Mapping[str, Any], phone: str) -> None:
    claim_phone(uow, phone, person["id"])
    login = credentials.credentials_of(uow, person["id"])
    if login is None:
        return
    holder = credentials.login_phone_holder(uow, phone)
    if holder is not None and holder != person["id"]:
        raise Conflict("phone_in_use", "该手机号码已被其他账号使用",
                       "This mobile number is the login of another account",
                       {"phone": ["already a login / 已是其他账号的登录手机号"]})
    credentials.set_login_phone(uow, person["id"], phone)


def _changed(current: Mapping[str, Any], data: Mapping[str, Any],
             fields: tuple[str, ...] | frozenset[str]) -> dict[str, Any]:
    return {k: data[k] for k in fields if k in data and data[k] != current.get(k)}


def _update_person(uow: UnitOfWork, person: dict[str, Any],
                   data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Phone and address; the person now and what changed (before values)."""
    changes = _changed(person, data, PERSON_FIELDS)
    if "phone" in changes:
        _change_phone(uow, person, changes["phone"])
    if changes:
        updated = persons.update_person(uow, person["id"], **changes)
        return updated, {k: person.get(k) for k in changes}
    return person, {}


def _audit(uow: UnitOfWork, caller: Caller, action: str, person: Mapping[str, Any],
           before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    if before:
        audit.record(uow, caller, action, "person", person["id"], person["region_code"],
                     before=dict(before), after={k: after.get(k) for k in before})


ELDER_FIELDS = ("emergency_contact_name", "emergency_contact_phone", "phone_only",
                "longitude", "latitude")


def update_elder(db: UnitOfWorkFactory, caller: Caller, person_id: Any,
                 data: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    with db() as uow:
        person = _target(uow, caller, person_id, data)
        profile = persons.get_elder_profile(uow, person["id"])
        if profile is None:
            raise NotFound("elder_not_found", "此人没有老年人档案",
                           "This person has no elder profile", {"person_id": str(person_id)})
        person, before = _update_person(uow, person, data)
        elder_changes = _changed(profile, data, ELDER_FIELDS)
        if elder_changes:
            before.update({k: profile.get(k) for k in elder_changes})
            profile = persons.update_elder_profile(uow, person["id"], **elder_changes)
        _audit(uow, caller, "update_elder", person, before, {**person, **profile})
        view = elder_view(person, profile, china_date(now),
                          priorities.verified_categories(uow, person["id"]),
                          proxies_view(uow, person["id"]))
        uow.commit()
    return view


def update_volunteer(db: UnitOfWorkFactory, caller: Caller, person_id: Any,
                     data: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    today = china_date(now)
    with db() as uow:
        person = _target(uow, caller, person_id, data)
        if not caller.person_id or caller.person_id != str(person["id"]):
            require_volunteer_registrar(uow, caller)
        profile = volunteers.lock_volunteer_profile(uow, person["id"])
        if profile is None:
            raise NotFound("volunteer_not_found", "未找到该志愿者", "No such volunteer",
                           {"person_id": str(person_id)})
        person, before = _update_person(uow, person, data)
        number = (data.get("volunteer_number") or "").strip() or None
        if number and number != profile["volunteer_number"]:
            persons.lock_key(uow, "volunteer_number", number)
            holder = volunteers.volunteer_number_holder(uow, number)
            if holder is not None and holder != person["id"]:
                raise Conflict("volunteer_number_in_use", "该志愿者编号已被登记",
                               "This volunteer number is already registered",
                               {"volunteer_number": ["already registered / 已被登记"]})
            before["volunteer_number"] = profile["volunteer_number"]
            profile = volunteers.update_volunteer_profile(uow, person["id"],
                                                          volunteer_number=number)
        assessment = volunteering.assess(uow, person, profile, today)
        volunteering.announce_if_changed(uow, person, assessment, today)
        _audit(uow, caller, "update_volunteer", person, before, {**person, **profile})
        view = volunteer_view(person, profile, today, assessment["reasons"])
        uow.commit()
    return view

