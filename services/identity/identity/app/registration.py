"""Registering elders and volunteers, and the checks every registration of a person shares
(ID number, region, phone, one person per ID number, the login)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.clock import china_date
from timebank_common.db import UnitOfWork, UnitOfWorkFactory
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound, RuleViolation

from ..adapters import api_clients, carriers, credentials, grants, persons, regions, volunteers
from ..adapters.hashing import hash_password
from ..adapters.rows import as_uuid
from ..contracts import PERSON_READERS, PERSON_REGISTERED, PERSON_REGISTRARS
from ..domain import id_numbers
from ..domain.eligibility import ELDER_MIN_AGE, is_elder
from ..domain.priority import is_advanced_age
from . import audit, volunteering
from .accounts import check_new_password
from .age_grants import grant_advanced_age
from .views import elder_view, volunteer_view

PROFILE_ZH = {"elder": "老年人", "volunteer": "志愿者", "operator": "工作人员"}


def parse_id_number(raw: str, today: dt.date) -> id_numbers.ResidentId:
    try:
        return id_numbers.parse(raw, today)
    except id_numbers.InvalidIdNumber as exc:
        raise BadInput("invalid_id_number", exc.zh, exc.en,
                       {"id_number": [f"{exc.zh} / {exc.en}"], "reason": exc.reason}) from None


def authorize_registration(caller: Caller, region_code: str) -> None:
    """Staff who run a station's day, or a municipal system, with the region in scope (a
    municipal system registers volunteers only when allowed: ``require_volunteer_registrar``)."""
    caller.require(*PERSON_REGISTRARS)
    caller.require_scope(region_code)


def require_volunteer_registrar(uow: UnitOfWork, caller: Caller) -> None:
    """A municipal system registers and corrects volunteers only when the province's policy
    allows it for this client (``may_register_volunteers``, set by an admin, read now: a
    change applies to the next call, whatever token the client holds): else 403
    ``client_may_not_register_volunteers``. Staff always may."""
    if caller.has(*STATION_STAFF):
        return
    client = api_clients.get_api_client(uow, caller.client_id or "")
    if not (client and client["revoked_at"] is None and client["may_register_volunteers"]):
        raise Forbidden("client_may_not_register_volunteers",
                        "本市级系统未获准登记志愿者，请联系省、市管理员开通",
                        "This municipal system may not register volunteers; ask the "
                        "province or city admin to allow it", {"client_id": caller.client_id})


def authorize_read(caller: Caller, person: Mapping[str, Any]) -> None:
    """A person may read themselves; staff and municipal systems only within their scope. A
    person outside the scope answers as an unknown id does (404 ``person_not_found``): staff
    do not learn who exists elsewhere, and after a move the old region no longer sees them."""
    if caller.person_id and caller.person_id == str(person["id"]):
        return
    caller.require(*PERSON_READERS)
    if not caller.covers(person["region_code"]):
        raise NotFound("person_not_found", "未找到此人", "No such person",
                       {"person_id": str(person["id"])})


def require_person(uow: UnitOfWork, person_id: Any) -> dict[str, Any]:
    person = persons.get_person(uow, person_id)
    if person is None:
        raise NotFound("person_not_found", "未找到此人", "No such person", {"person_id": person_id})
    return person


def require_person_in_scope(uow: UnitOfWork, caller: Caller, person_id: Any,
                            lock: bool = False) -> dict[str, Any]:
    """The person if the caller's scope covers where they belong now; an unknown id and a
    person outside the scope answer alike (404 ``person_not_found``): staff do not learn
    who exists elsewhere, and after a move the old region's staff no longer see the person."""
    person = (persons.lock_person if lock else persons.get_person)(uow, person_id)
    if person is None or not caller.covers(person["region_code"]):
        raise NotFound("person_not_found", "未找到此人", "No such person",
                       {"person_id": str(person_id)})
    return person


def require_region(uow: UnitOfWork, code: str) -> None:
    if regions.get_region(uow, code) is None:
        raise BadInput("unknown_region", "区划代码不存在", "Unknown region code",
                       {"region_code": ["Unknown region code / 区划代码不存在"]})


def claim_phone(uow: UnitOfWork, phone: str | None, person_id: Any = None) -> None:
    if not phone:
        return
    persons.lock_key(uow, "phone", phone)
    holder = persons.find_person_by_phone(uow, phone)
    if holder and holder["id"] != person_id:
        raise Conflict("phone_in_use", "该手机号码已被其他人登记", "This mobile number belongs to someone else",
                       {"phone": ["already registered / 已被登记"]})


def person_for(uow: UnitOfWork, caller: Caller, data: Mapping[str, Any],
               resident: id_numbers.ResidentId, profile: str,
               has_profile: Callable[[UnitOfWork, Any], Any]) -> dict[str, Any]:
    """The person with this ID number: the existing one (gaining a profile) or a new one.

    ``data``: name, phone, address, region_code; ``has_profile(uow, person_id)``: whether
    the existing person already has what is being given (then ``already_registered``)."""
    persons.lock_key(uow, "id_number", resident.number)
    existing = persons.find_person_by_id_number(uow, resident.number)
    if existing is None:
        claim_phone(uow, data.get("phone"))
        return persons.insert_person(
            uow, name=data["name"], id_number=resident.number, sex=resident.sex,
            birth_date=resident.birth_date, phone=data.get("phone"), address=data.get("address"),
            region_code=data["region_code"],
        )
    if not caller.covers(existing["region_code"]):
        # uniqueness is province-wide, but who holds a number is told only within scope
        raise Forbidden("out_of_scope", "该身份证号码已在您管辖范围之外登记，请联系其所在地管理",
                        "This ID number is registered outside your region; contact that region")
    details = {"person_id": str(existing["id"])}
    if has_profile(uow, existing["id"]):
        raise Conflict("already_registered", f"该身份证号码已登记为{PROFILE_ZH[profile]}",
                       f"This ID number is already registered as {profile}", details)
    if existing["name"] != data["name"]:
        raise Conflict("identity_mismatch", "该身份证号码已登记，但姓名不一致，请核对",
                       "This ID number is registered under another name; please check", details)
    phone = data.get("phone")
    if phone and existing["phone"] and phone != existing["phone"]:
        raise Conflict("phone_mismatch", "此人已登记了另一个手机号码",
                       "This person is registered with a different mobile number", details)
    if phone and not existing["phone"]:
        claim_phone(uow, phone, existing["id"])
        persons.set_person_phone(uow, existing["id"], phone)
        existing = {**existing, "phone": phone}
    return existing


def give_login(uow: UnitOfWork, person: Mapping[str, Any], password: str,
               must_change_password: bool = False) -> bool:
    """Credentials to log in by phone; an existing login is kept as it is (then False). The
    password must follow the password rules (422 ``weak_password``). ``must_change_password``:
    a one-time password, to be changed at first use (``accounts.issue_tokens``)."""
    if credentials.credentials_of(uow, person["id"]):
        return False
    check_new_password(password, person, "initial_password")
    holder = credentials.login_phone_holder(uow, person["phone"])
    if holder is not None and holder != person["id"]:
        raise Conflict("phone_in_use", "该手机号码已被其他账号使用",
                       "This mobile number is the login of another account",
                       {"phone": ["already a login / 已是其他账号的登录手机号"]})
    credentials.insert_credentials(uow, person["id"], person["phone"], hash_password(password),
                                   must_change_password)
    return True


def _emit_registered(uow: UnitOfWork, person: Mapping[str, Any], profile: str) -> None:
    uow.emit(PERSON_REGISTERED, {"person_id": str(person["id"]), "profile": profile,
                                 "region_code": person["region_code"]}, person["region_code"])


def register_elder(db: UnitOfWorkFactory, caller: Caller, data: Mapping[str, Any],
                   now: dt.datetime) -> dict[str, Any]:
    authorize_registration(caller, data["region_code"])
    today = china_date(now)
    resident = parse_id_number(data["id_number"], today)
    age = id_numbers.age_at(resident.birth_date, today)
    if not is_elder(age):
        raise RuleViolation("not_elderly", f"老年人须年满{ELDER_MIN_AGE}周岁",
                            f"Elders are {ELDER_MIN_AGE} or older", {"age": age})
    with db() as uow:
        require_region(uow, data["region_code"])
        carrier_id = caller.carrier_id if caller.has("station_operator") else data.get("carrier_id")
        if carrier_id:
            carrier = carriers.get_carrier(uow, carrier_id)
            if carrier is None:
                raise BadInput("unknown_carrier", "服务站点不存在", "Unknown service station",
                               {"carrier_id": ["unknown / 不存在"]})
            if not caller.has("station_operator"):
                # an admin may bind an elder only to a station they supervise
                caller.require_scope(carrier["region_code"])
        person = person_for(uow, caller, data, resident, "elder", persons.get_elder_profile)
        profile = persons.insert_elder_profile(
            uow, person_id=person["id"], phone_only=data["phone_only"],
            carrier_id=as_uuid(carrier_id) if carrier_id else None,
            emergency_contact_name=data.get("emergency_contact_name"),
            emergency_contact_phone=data.get("emergency_contact_phone"),
            registered_by=as_uuid(caller.person_id),
        )
        grants.add_grant(uow, person["id"], "elder", person["region_code"],
                         granted_by=as_uuid(caller.person_id))
        if data.get("initial_password"):
            give_login(uow, person, data["initial_password"])
        _emit_registered(uow, person, "elder")
        if is_advanced_age(age) and person.get("status", "active") == "active":
            grant_advanced_age(uow, person["id"], person["region_code"], now)  # 高龄, at once
        view = elder_view(person, profile, today)
        audit.record(uow, caller, "register_elder", "person", person["id"],
                     person["region_code"], after=view)
        uow.commit()
    return view


def register_volunteer(db: UnitOfWorkFactory, caller: Caller, data: Mapping[str, Any],
                       now: dt.datetime) -> dict[str, Any]:
    authorize_registration(caller, data["region_code"])
    today = china_date(now)
    resident = parse_id_number(data["id_number"], today)
    with db() as uow:
        require_volunteer_registrar(uow, caller)
        require_region(uow, data["region_code"])
        number = (data.get("volunteer_number") or "").strip() or None
        person = person_for(uow, caller, data, resident, "volunteer",
                            volunteers.get_volunteer_profile)
        if number:
            persons.lock_key(uow, "volunteer_number", number)
        if number and volunteers.volunteer_number_holder(uow, number) is not None:
            raise Conflict("volunteer_number_in_use", "该志愿者编号已被登记",
                           "This volunteer number is already registered",
                           {"volunteer_number": ["already registered / 已被登记"]})
        profile = volunteers.insert_volunteer_profile(
            uow, person_id=person["id"], volunteer_number=number,
            registered_by=as_uuid(caller.person_id), **_initial_facts(caller, data, now),
        )
        if data.get("training_hours_completed"):
            volunteering.add_training(uow, person, {
                "course": volunteering.INDUCTION_COURSE,
                "organiser": caller.name or "时间银行平台",
                "date": today, "hours": data["training_hours_completed"]},
                as_uuid(caller.person_id))
        grants.add_grant(uow, person["id"], "volunteer", person["region_code"],
                         granted_by=as_uuid(caller.person_id))
        give_login(uow, person, data["initial_password"])
        assessment = volunteering.assess(uow, person, profile, today)
        _emit_registered(uow, person, "volunteer")
        volunteering.announce_if_changed(uow, person, assessment, today)
        view = volunteer_view(person, profile, today, assessment["reasons"])
        audit.record(uow, caller, "register_volunteer", "person", person["id"],
                     person["region_code"], after=view)
        uow.commit()
    return view


def _initial_facts(caller: Caller, data: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    """What the registering operator attests at registration (registry, screening, health)."""
    by = as_uuid(caller.person_id)
    facts: dict[str, Any] = {}
    if data.get("registry_status"):
        facts.update(registry_status=data["registry_status"], registry_set_by=by,
                     registry_set_at=now, registry_note="at registration")
    if data.get("screening"):
        facts.update(screening=data["screening"], screening_set_by=by, screening_set_at=now,
                     screening_note="at registration")
    if data.get("health_declared"):
        facts.update(health_declared_at=now, health_declared_by=by,
                     health_note="declared at registration")
    return facts
