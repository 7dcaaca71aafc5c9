"""Reading a person or an elder, masked by default; unmasked on request for the roles that
need it (``domain.disclosure``), and every unmasked read recorded in the audit log.
Each function runs inside the caller's unit of work; the entrypoint commits (the audit entry)."""
from __future__ import annotations

import datetime as dt

from timebank_common.caller import Caller
from timebank_common.errors import Forbidden, NotFound

from . import audit
from . import repository as repo
from .domain.disclosure import may_unmask
from .proxies import proxies_view
from .registration import authorize_read, require_person
from .views import elder_view, person_view, unmasked_fields


def _require_unmask(caller: Caller, person: dict, elder_profile: dict | None) -> None:
    own_station = bool(elder_profile and caller.carrier_id and elder_profile["carrier_id"]
                       and str(elder_profile["carrier_id"]) == caller.carrier_id)
    if not may_unmask(caller.roles, caller.person_id == str(person["id"]),
                      caller.covers(person["region_code"]), own_station):
        raise Forbidden("unmasked_not_allowed", "您的角色无权查看完整的个人信息",
                        "Your role may not see this person's full personal data",
                        {"person_id": str(person["id"])})


def _disclose(uow, caller: Caller, person: dict, elder_profile: dict | None, view: dict) -> dict:
    _require_unmask(caller, person, elder_profile)
    fields = unmasked_fields(person, elder_profile)
    audit.record(uow, caller, "read_unmasked", "person", person["id"], person["region_code"],
                 after={"fields": sorted(k for k, v in fields.items() if v is not None)})
    return {**view, **fields}


def read_person(uow, caller: Caller, person_id, unmasked: bool, today: dt.date) -> dict:
    person = require_person(uow, person_id)
    authorize_read(caller, person)
    volunteer = repo.get_volunteer_profile(uow, person["id"])
    view = person_view(person, today, repo.profiles_of(uow, person["id"]),
                       volunteer["volunteer_number"] if volunteer else None)
    if not unmasked:
        return view
    return _disclose(uow, caller, person, repo.get_elder_profile(uow, person["id"]), view)


def read_elder(uow, caller: Caller, person_id, unmasked: bool, today: dt.date) -> dict:
    person = require_person(uow, person_id)
    authorize_read(caller, person)
    profile = repo.get_elder_profile(uow, person["id"])
    if profile is None:
        raise NotFound("elder_not_found", "此人没有老年人档案",
                       "This person has no elder profile", {"person_id": person_id})
    view = elder_view(person, profile, today, repo.verified_categories(uow, person["id"]),
                      proxies_view(uow, person["id"]))
    return _disclose(uow, caller, person, profile, view) if unmasked else view
