"""Reading a person or an elder, masked by default; unmasked on request for the roles that
need it (``domain.disclosure``), and every unmasked read recorded in the audit log."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.clock import china_date
from timebank_common.db import UnitOfWork, UnitOfWorkFactory
from timebank_common.errors import Forbidden, NotFound

from ..adapters import persons, priorities, volunteers
from ..domain.disclosure import may_unmask
from . import audit
from .moves import history_of
from .proxies import proxies_view
from .registration import authorize_read, require_person
from .views import elder_view, person_view, unmasked_fields


def _require_unmask(caller: Caller, person: Mapping[str, Any],
                    elder_profile: Mapping[str, Any] | None) -> None:
    own_station = bool(elder_profile and caller.carrier_id and elder_profile["carrier_id"]
                       and str(elder_profile["carrier_id"]) == caller.carrier_id)
    if not may_unmask(caller.roles, caller.person_id == str(person["id"]),
                      caller.covers(person["region_code"]), own_station):
        raise Forbidden("unmasked_not_allowed", "您的角色无权查看完整的个人信息",
                        "Your role may not see this person's full personal data",
                        {"person_id": str(person["id"])})


def _disclose(uow: UnitOfWork, caller: Caller, person: dict[str, Any],
              elder_profile: dict[str, Any] | None, view: dict[str, Any]) -> dict[str, Any]:
    _require_unmask(caller, person, elder_profile)
    fields = unmasked_fields(person, elder_profile)
    audit.record(uow, caller, "read_unmasked", "person", person["id"], person["region_code"],
                 after={"fields": sorted(k for k, v in fields.items() if v is not None)})
    return {**view, **fields}


def read_person(db: UnitOfWorkFactory, caller: Caller, person_id: Any, unmasked: bool,
                now: dt.datetime) -> dict[str, Any]:
    """Masked; ``unmasked`` for the roles of ``domain.disclosure`` (audited)."""
    with db() as uow:
        person = require_person(uow, person_id)
        authorize_read(caller, person)
        volunteer = volunteers.get_volunteer_profile(uow, person["id"])
        view = person_view(person, china_date(now), persons.profiles_of(uow, person["id"]),
                           volunteer["volunteer_number"] if volunteer else None)
        view["moves"] = history_of(uow, person["id"])
        if unmasked:
            view = _disclose(uow, caller, person, persons.get_elder_profile(uow, person["id"]),
                             view)
        uow.commit()
    return view


def read_elder(db: UnitOfWorkFactory, caller: Caller, person_id: Any, unmasked: bool,
               now: dt.datetime) -> dict[str, Any]:
    with db() as uow:
        person = require_person(uow, person_id)
        authorize_read(caller, person)
        profile = persons.get_elder_profile(uow, person["id"])
        if profile is None:
            raise NotFound("elder_not_found", "此人没有老年人档案",
                           "This person has no elder profile", {"person_id": person_id})
        view = elder_view(person, profile, china_date(now),
                          priorities.verified_categories(uow, person["id"]),
                          proxies_view(uow, person["id"]))
        view["moves"] = history_of(uow, person["id"])
        if unmasked:
            view = _disclose(uow, caller, person, profile, view)
        uow.commit()
    return view
