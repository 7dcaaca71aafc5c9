"""Direct relatives (直系亲属): linking two registered persons, verifying, reading.

A person may link themself (pending); staff (station operators and admins) may link
anyone whose region is in their scope. Staff with the first person's region in scope
verify (``domain.review``: four-eyes). A verified link emits ``relatives_linked``.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timebank_common.caller import STAFF_ROLES, STATION_STAFF, Caller
from timebank_common.db import UnitOfWork, UnitOfWorkFactory
from timebank_common.errors import NotFound

from ..adapters import persons, relatives
from ..adapters.rows import as_uuid
from ..contracts import RELATIVES_LINKED
from ..domain.relatives import RelationRefused, check_link, kind_seen_from
from ..domain.review import VERIFIED, Reviewer, ReviewRefused, decide
from . import audit
from .refusals import as_error
from .registration import require_person
from .views import link_view


def _name_of(uow: UnitOfWork, person_id: Any) -> str | None:
    person = persons.get_person(uow, person_id)
    return person["name"] if person else None


def link_relatives(db: UnitOfWorkFactory, caller: Caller,
                   data: Mapping[str, Any]) -> dict[str, Any]:
    with db() as uow:
        person = require_person(uow, data["person_id"])
        if caller.person_id != str(person["id"]):
            caller.require(*STATION_STAFF)
            caller.require_scope(person["region_code"])
        relative = require_person(uow, data["relative_person_id"])
        pair = sorted((str(person["id"]), str(relative["id"])))
        persons.lock_key(uow, "relatives", ":".join(pair))
        try:
            evidence = check_link(
                str(person["id"]), str(relative["id"]), data["kind"], data.get("evidence"),
                relatives.open_link_between(uow, person["id"], relative["id"]) is not None)
        except RelationRefused as exc:
            raise as_error(exc, {"person_id": str(person["id"]),
                                 "relative_person_id": str(relative["id"])}) from None
        link = relatives.insert_relative_link(
            uow, person_id=person["id"], relative_person_id=relative["id"], kind=data["kind"],
            evidence=evidence, submitted_by=as_uuid(caller.person_id))
        audit.record(uow, caller, "link_relatives", "relative_link", link["id"],
                     person["region_code"], after=link)
        uow.commit()
    return link_view(link, person["id"], relative["name"])


def verify_relatives(db: UnitOfWorkFactory, caller: Caller, link_id: Any,
                     data: Mapping[str, Any]) -> dict[str, Any]:
    caller.require(*STATION_STAFF)
    with db() as uow:
        link = relatives.get_relative_link(uow, link_id, lock=True)
        if link is None:
            raise NotFound("link_not_found", "亲属关系记录不存在", "No such relative link",
                           {"link_id": str(link_id)})
        person = require_person(uow, link["person_id"])
        caller.require_scope(person["region_code"])
        try:
            status = decide(link["status"], data["decision"], data.get("reason"),
                            link["submitted_by"], Reviewer(caller.person_id, caller.roles),
                            about=(link["person_id"], link["relative_person_id"]))
        except ReviewRefused as exc:
            raise as_error(exc, {"link_id": str(link["id"])}) from None
        before = link
        link = relatives.decide_relative_link(uow, link["id"], status, as_uuid(caller.person_id),
                                              data.get("reason"))
        audit.record(uow, caller, "verify_relatives", "relative_link", link["id"],
                     person["region_code"], before=before, after=link)
        if status == VERIFIED:
            uow.emit(RELATIVES_LINKED, {
                "link_id": str(link["id"]), "person_id": str(link["person_id"]),
                "relative_person_id": str(link["relative_person_id"]), "kind": link["kind"],
                "region_code": person["region_code"]}, person["region_code"])
        view = link_view(link, link["person_id"], _name_of(uow, link["relative_person_id"]))
        uow.commit()
    return view


def list_relatives(db: UnitOfWorkFactory, caller: Caller, person_id: Any) -> dict[str, Any]:
    with db() as uow:
        person = require_person(uow, person_id)
        if caller.person_id != str(person["id"]):
            caller.require(*STAFF_ROLES)
            caller.require_scope(person["region_code"])
        items = []
        for link in relatives.links_of(uow, person["id"]):
            other = link["relative_person_id"] if link["person_id"] == person["id"] \
                else link["person_id"]
            items.append(link_view(link, person["id"], _name_of(uow, other)))
    return {"person_id": str(person["id"]), "items": items}


def are_direct_relatives(db: UnitOfWorkFactory, person_a: Any, person_b: Any) -> dict[str, Any]:
    """``{related, kind}``: ``kind`` is what person_b is to person_a (verified links only)."""
    a, b = as_uuid(person_a), as_uuid(person_b)
    if not (a and b and a != b):
        return {"related": False, "kind": None}
    with db() as uow:
        link = relatives.verified_link_between(uow, a, b)
    if link is None:
        return {"related": False, "kind": None}
    return {"related": True, "kind": kind_seen_from(link, str(a))}
