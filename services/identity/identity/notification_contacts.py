"""What the notify service needs to reach people: internal reads, no caller.

* ``contact_details``: name, phone (decrypted here, at identity's boundary), whether the
  person is a phone-only elder and their station. Every read of a phone is written to the
  audit log (action ``read_unmasked``, actor ``notify``: a system read, no person).
* ``person_names``: names only (not personal data that is sealed; nothing to audit), for
  message texts ("李明将上门为您服务").
* ``station_staff``: the active station operators of a carrier and the township admins of a
  township (who hears that a demand waits too long for review).
* ``qualifications_expiring``: verified qualifications that run out within the coming days
  (with the kind's name, ``kind_name: {zh, en}``, for the message).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select

from . import audit
from . import repository as repo
from .domain.qualifications import kind_names
from .tables import persons, qualifications, role_grants

NOTIFY = "notify"


def contact_details(uow, person_ids: list[str]) -> list[dict]:
    found = []
    for person_id in dict.fromkeys(person_ids):
        person = repo.get_person(uow, person_id)
        if person is None:
            continue
        elder = repo.get_elder_profile(uow, person["id"])
        found.append({
            "person_id": str(person["id"]), "name": person["name"],
            "phone": person.get("phone"), "region_code": person["region_code"],
            "phone_only": bool(elder and elder["phone_only"]),
            "carrier_id": str(elder["carrier_id"]) if elder and elder["carrier_id"] else None,
            "is_elder": elder is not None, "locale": "zh-CN",
        })
        if person.get("phone"):
            audit.record(uow, None, "read_unmasked", "person", person["id"],
                         person["region_code"], after={"fields": ["phone"], "for": NOTIFY})
    return found


def person_names(uow, person_ids: list[str]) -> dict[str, str]:
    ids = [pid for pid in (repo.as_uuid(p) for p in dict.fromkeys(person_ids)) if pid]
    if not ids:
        return {}
    rows = uow.execute(select(persons.c.id, persons.c.name).where(persons.c.id.in_(ids))).all()
    return {str(r.id): r.name for r in rows}


def station_staff(uow, carrier_id: str | None, township_code: str | None) -> list[dict]:
    wanted = []
    if carrier_id:
        wanted.append((role_grants.c.role == "station_operator")
                      & (role_grants.c.carrier_id == repo.as_uuid(carrier_id)))
    if township_code:
        wanted.append((role_grants.c.role == "township_admin")
                      & (role_grants.c.scope_code == township_code[:9] + "000"))
    if not wanted:
        return []
    rows = uow.execute(
        select(role_grants.c.person_id, role_grants.c.role, persons.c.name)
        .join(persons, persons.c.id == role_grants.c.person_id)
        .where(role_grants.c.revoked_at.is_(None), or_(*wanted))
        .order_by(role_grants.c.person_id)).all()
    return [{"person_id": str(r.person_id), "role": r.role, "name": r.name} for r in rows]


def qualifications_expiring(uow, today: dt.date, days: int) -> list[dict]:
    rows = uow.execute(
        select(qualifications.c.id, qualifications.c.person_id, qualifications.c.kind,
               qualifications.c.valid_until, persons.c.region_code)
        .join(persons, persons.c.id == qualifications.c.person_id)
        .where(qualifications.c.status == "verified", qualifications.c.expired_at.is_(None),
               qualifications.c.valid_until >= today,
               qualifications.c.valid_until <= today + dt.timedelta(days=days))
        .order_by(qualifications.c.valid_until, qualifications.c.id)).all()
    return [{"qualification_id": str(r.id), "person_id": str(r.person_id), "kind": r.kind,
             "kind_name": kind_names(r.kind), "valid_until": r.valid_until.isoformat(),
             "region_code": r.region_code}
            for r in rows]
