"""Direct relatives (直系亲属): linking two registered persons, verifying, reading.

A person may link themself (pending); staff (station operators and admins) may link
anyone whose region is in their scope. Staff with the first person's region in scope
verify (``domain.review``: four-eyes). A verified link emits ``relatives_linked``.
Each function runs inside the caller's unit of work; the entrypoint commits.
"""
from __future__ import annotations

from timebank_common.caller import ADMIN_ROLES, STAFF_ROLES, Caller
from timebank_common.errors import NotFound

from . import audit
from . import repository as repo
from .domain.relatives import RelationRefused, check_link, kind_seen_from
from .domain.review import VERIFIED, Reviewer, ReviewRefused, decide
from .refusals import as_error
from .registration import require_person
from .schemas import RelativesLinkedPayload
from .views import link_view

LINKERS = ("station_operator", *ADMIN_ROLES)


def _name_of(uow, person_id) -> str | None:
    person = repo.get_person(uow, person_id)
    return person["name"] if person else None


def link_relatives(uow, caller: Caller, data: dict) -> dict:
    person = require_person(uow, data["person_id"])
    if caller.person_id != str(person["id"]):
        caller.require(*LINKERS)
        caller.require_scope(person["region_code"])
    relative = require_person(uow, data["relative_person_id"])
    pair = sorted((str(person["id"]), str(relative["id"])))
    repo.lock_key(uow, "relatives", ":".join(pair))
    try:
        evidence = check_link(str(person["id"]), str(relative["id"]), data["kind"],
                              data.get("evidence"),
                              repo.open_link_between(uow, person["id"], relative["id"]) is not None)
    except RelationRefused as exc:
        raise as_error(exc, {"person_id": str(person["id"]),
                             "relative_person_id": str(relative["id"])}) from None
    link = repo.insert_relative_link(
        uow, person_id=person["id"], relative_person_id=relative["id"], kind=data["kind"],
        evidence=evidence, submitted_by=repo.as_uuid(caller.person_id))
    audit.record(uow, caller, "link_relatives", "relative_link", link["id"],
                 person["region_code"], after=link)
    return link_view(link, person["id"], relative["name"])


def verify_relatives(uow, caller: Caller, link_id, data: dict) -> dict:
    caller.require(*LINKERS)
    link = repo.get_relative_link(uow, link_id, lock=True)
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
    link = repo.decide_relative_link(uow, link["id"], status, repo.as_uuid(caller.person_id),
                                     data.get("reason"))
    audit.record(uow, caller, "verify_relatives", "relative_link", link["id"],
                 person["region_code"], before=before, after=link)
    if status == VERIFIED:
        payload = RelativesLinkedPayload().dump({
            "link_id": str(link["id"]), "person_id": str(link["person_id"]),
            "relative_person_id": str(link["relative_person_id"]), "kind": link["kind"],
            "region_code": person["region_code"]})
        uow.emit("relatives_linked", payload, person["region_code"])
    return link_view(link, link["person_id"], _name_of(uow, link["relative_person_id"]))


def list_relatives(uow, caller: Caller, person_id) -> dict:
    person = require_person(uow, person_id)
    if caller.person_id != str(person["id"]):
        caller.require(*STAFF_ROLES)
        caller.require_scope(person["region_code"])
    items = []
    for link in repo.links_of(uow, person["id"]):
        other = link["relative_person_id"] if link["person_id"] == person["id"] \
            else link["person_id"]
        items.append(link_view(link, person["id"], _name_of(uow, other)))
    return {"person_id": str(person["id"]), "items": items}


def are_direct_relatives(uow, person_a, person_b) -> dict:
    """``{related, kind}``: ``kind`` is what person_b is to person_a (verified links only)."""
    a, b = repo.as_uuid(person_a), repo.as_uuid(person_b)
    link = repo.verified_link_between(uow, a, b) if a and b and a != b else None
    if link is None:
        return {"related": False, "kind": None}
    return {"related": True, "kind": kind_seen_from(link, str(a))}
