"""Moving a person within the province (``domain.moves``), and the trace of moves.

``move_person``: the person's region changes (and an elder's station: the one named, else
none until one is set), their own elder/volunteer grants follow, a ``person_moves`` row
keeps from, to, stations, who, when and why, and ``person_moved`` tells the other services
(the ledger moves the account's region, matching the volunteer's home). A volunteer's
eligibility is reassessed (the training policy is regional). Relative links, proxies,
qualifications and trainings stay as they are. The old region's staff then get 404 on the
person; both regions see the move in ``list_moves``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import STAFF_ROLES, STATION_STAFF, Caller
from timebank_common.clock import china_date
from timebank_common.db import UnitOfWork, UnitOfWorkFactory
from timebank_common.regions import prefix_of

from ..adapters import carriers, grants, moves, persons, regions, volunteers
from ..adapters.rows import as_uuid
from ..contracts import PERSON_MOVED
from ..domain.moves import MoveRefused, check_destination, check_mover
from . import audit, volunteering
from .refusals import as_error
from .registration import require_person_in_scope
from .scope import listing_prefix
from .views import move_view

OWN_ROLES = ("elder", "volunteer")


def _checked(uow: UnitOfWork, caller: Caller, person: Mapping[str, Any],
             elder: Mapping[str, Any] | None,
             data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The new station (if named) and the reason, once ``domain.moves`` allows the move."""
    from_carrier = elder["carrier_id"] if elder else None
    try:
        check_mover(caller.roles, bool(caller.carrier_id and from_carrier
                                       and str(from_carrier) == caller.carrier_id))
        to_region = regions.get_region(uow, data["to_region_code"])
        carrier = carriers.get_carrier(uow, data["carrier_id"]) if data.get("carrier_id") \
            else None
        if data.get("carrier_id") and carrier is None:
            raise MoveRefused("carrier_not_in_region")
        reason = check_destination(person["region_code"], data["to_region_code"],
                                   to_region["level"] if to_region else None,
                                   carrier["region_code"] if carrier else None,
                                   elder is not None, data.get("reason"))
    except MoveRefused as refusal:
        raise as_error(refusal, {"person_id": str(person["id"]),
                                 "to_region_code": data["to_region_code"]}) from None
    return carrier, reason


def move_person(db: UnitOfWorkFactory, caller: Caller, person_id: Any, data: Mapping[str, Any],
                now: dt.datetime) -> dict[str, Any]:
    caller.require(*STATION_STAFF)
    with db() as uow:
        person = require_person_in_scope(uow, caller, person_id, lock=True)
        elder = persons.get_elder_profile(uow, person["id"])
        from_carrier = elder["carrier_id"] if elder else None
        carrier, reason = _checked(uow, caller, person, elder, data)
        from_region = person["region_code"]
        person = persons.update_person(uow, person["id"], region_code=data["to_region_code"])
        to_carrier = carrier["id"] if carrier else None
        if elder is not None:
            persons.update_elder_profile(uow, person["id"], carrier_id=to_carrier)
        grants.move_own_grants(uow, person["id"], OWN_ROLES, from_region, person["region_code"])
        row = moves.insert_move(
            uow, person_id=person["id"], from_region_code=from_region,
            to_region_code=person["region_code"], from_carrier_id=from_carrier,
            to_carrier_id=to_carrier, reason=reason, moved_by=as_uuid(caller.person_id),
            moved_at=now)
        profiles = persons.profiles_of(uow, person["id"])
        uow.emit(PERSON_MOVED, {
            "person_id": str(person["id"]), "from_region_code": from_region,
            "to_region_code": person["region_code"], "profiles": profiles,
            "carrier_id": str(to_carrier) if to_carrier else None,
            "from_carrier_id": str(from_carrier) if from_carrier else None,
            "moved_by": caller.person_id, "moved_at": now}, person["region_code"])
        volunteer = volunteers.get_volunteer_profile(uow, person["id"])
        if volunteer is not None:
            today = china_date(now)
            volunteering.announce_if_changed(
                uow, person, volunteering.assess(uow, person, volunteer, today), today)
        view = move_view({**row, "name": person["name"], "id_number": person["id_number"]},
                         prefix_of(caller.scope) if caller.scope else None)
        audit.record(uow, caller, "move_person", "person", person["id"], from_region,
                     before={"region_code": from_region, "carrier_id": from_carrier},
                     after={"region_code": person["region_code"], "carrier_id": to_carrier,
                            "reason": reason})
        uow.commit()
    return view


def list_moves(db: UnitOfWorkFactory, caller: Caller, query: Mapping[str, Any]) -> dict[str, Any]:
    """Moves into or out of the caller's scope (or of ``region`` inside it), newest first;
    staff (auditors too)."""
    caller.require(*STAFF_ROLES)
    prefix = listing_prefix(caller, query.get("region"))
    with db() as uow:
        rows, total = moves.move_page(uow, prefix, query["page"], query["page_size"])
    return {"items": [move_view(r, prefix) for r in rows], "total": total,
            "page": query["page"], "page_size": query["page_size"]}


def history_of(uow: UnitOfWork, person_id: Any) -> list[dict[str, Any]]:
    """A person's moves, oldest first (for the views of an elder or volunteer in scope)."""
    return [move_view({**r, "name": None, "id_number": None})
            for r in moves.moves_of(uow, person_id)]
