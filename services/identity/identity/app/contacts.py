"""What the notify service needs to reach people: internal reads, no caller.

* ``contact_details``: name, phone (decrypted here, at identity's boundary), whether the
  person is a phone-only elder and their station. Every read of a phone is written to the
  audit log (action ``read_unmasked``, actor ``notify``: a system read, no person).
* ``person_names``: names only (not personal data that is sealed; nothing to audit), for
  message texts ("李明将上门为您服务").
* ``place_names``: names of regions and carriers (public), for reporting's reports.
* ``person_standing``: where a person belongs now (region, station), their profiles and
  standing: what the other services check a caller's scope against.
* ``station_staff``: the active station operators of a carrier and the township admins of a
  township (who hears that a demand waits too long for review).
* ``qualifications_expiring``: verified qualifications that run out within the coming days
  (with the kind's name, ``kind_name: {zh, en}``, for the message).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from timebank_common.db import UnitOfWorkFactory

from ..adapters import carriers, grants, persons, qualifications, regions
from ..adapters.rows import as_uuid
from ..domain.qualifications import kind_names
from . import audit

NOTIFY = "notify"


def _known_people(uow: Any, person_ids: Iterable[str]) -> Iterator[tuple[dict[str, Any],
                                                                        dict[str, Any] | None]]:
    """Each known person among ``person_ids`` (once, in the order asked) with their elder
    profile (None for a person without one); unknown ids are skipped."""
    for person_id in dict.fromkeys(person_ids):
        person = persons.get_person(uow, person_id)
        if person is not None:
            yield person, persons.get_elder_profile(uow, person["id"])


def _station_of(elder: dict[str, Any] | None) -> str | None:
    return str(elder["carrier_id"]) if elder and elder["carrier_id"] else None


def contact_details(db: UnitOfWorkFactory, person_ids: Iterable[str]) -> list[dict[str, Any]]:
    found = []
    with db() as uow:
        for person, elder in _known_people(uow, person_ids):
            found.append({
                "person_id": str(person["id"]), "name": person["name"],
                "phone": person.get("phone"), "region_code": person["region_code"],
                "phone_only": bool(elder and elder["phone_only"]),
                "carrier_id": _station_of(elder), "is_elder": elder is not None,
                "locale": "zh-CN",
            })
            if person.get("phone"):
                audit.record(uow, None, "read_unmasked", "person", person["id"],
                             person["region_code"], after={"fields": ["phone"], "for": NOTIFY})
        uow.commit()
    return found


def person_names(db: UnitOfWorkFactory, person_ids: Iterable[str]) -> dict[str, str]:
    ids = [pid for pid in (as_uuid(p) for p in dict.fromkeys(person_ids)) if pid]
    if not ids:
        return {}
    with db() as uow:
        return persons.names_of(uow, ids)


def place_names(db: UnitOfWorkFactory, region_codes: Iterable[str],
                carrier_ids: Iterable[str]) -> dict[str, dict[str, str]]:
    """Names of the known regions and carriers among those asked for (public names)."""
    codes = list(dict.fromkeys(region_codes))
    ids = [cid for cid in (as_uuid(c) for c in dict.fromkeys(carrier_ids)) if cid]
    with db() as uow:
        return {"regions": regions.names_of(uow, codes) if codes else {},
                "carriers": carriers.names_of(uow, ids) if ids else {}}


def person_standing(db: UnitOfWorkFactory, person_ids: Iterable[str]) -> list[dict[str, Any]]:
    """Region, standing, profiles and station of each known person (nothing is audited: no
    personal data leaves identity)."""
    with db() as uow:
        return [{"person_id": str(person["id"]), "region_code": person["region_code"],
                 "status": person.get("status") or "active",
                 "profiles": persons.profiles_of(uow, person["id"]),
                 "carrier_id": _station_of(elder)}
                for person, elder in _known_people(uow, person_ids)]


def station_staff(db: UnitOfWorkFactory, carrier_id: str | None,
                  township_code: str | None) -> list[dict[str, Any]]:
    with db() as uow:
        rows = grants.station_staff(uow, carrier_id, township_code)
    return [{"person_id": str(r.person_id), "role": r.role, "name": r.name} for r in rows]


def qualifications_expiring(db: UnitOfWorkFactory, today: dt.date,
                            days: int) -> list[dict[str, Any]]:
    with db() as uow:
        rows = qualifications.running_out(uow, today, days)
    return [{"qualification_id": str(r.id), "person_id": str(r.person_id), "kind": r.kind,
             "kind_name": kind_names(r.kind), "valid_until": r.valid_until.isoformat(),
             "region_code": r.region_code}
            for r in rows]
