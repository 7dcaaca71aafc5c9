"""Elders' proxies (代理人, item 6): a verified direct relative who may act for an elder, like
a guardian account; the elder's station acts for them through its operators already.

Who sets a proxy: the elder themself, or staff (station operators and admins) with the
elder's region in scope. Who removes one: the same, or the proxy stepping down.
``may_act_for`` (internal) tells other services whether a person may act for an elder;
``elders_acted_for`` (internal) lists the elders a person is the proxy of (demand's lists).
A proxy's access token carries the role ``relative`` (``domain.access.caller_claims``).
Each function runs inside the caller's unit of work; the entrypoint commits.
"""
from __future__ import annotations

from timebank_common.caller import Caller
from timebank_common.errors import NotFound

from . import proxy_repository as prepo
from . import repository as repo
from .domain.proxies import ProxyRefused, check_proxy, station_acts_for
from .domain.relatives import kind_seen_from
from .priorities import STAFF, require_elder
from .refusals import as_error
from .registration import require_person
from .schemas import ElderProxyRemovedPayload, ElderProxySetPayload
from .views import proxy_view


def _is(caller: Caller, person_id) -> bool:
    return bool(caller.person_id) and caller.person_id == str(person_id)


def _elder_for(uow, caller: Caller, elder_id, also_allowed=None) -> dict:
    """The elder, if the caller is them (or ``also_allowed``), or staff with them in scope."""
    if not (_is(caller, elder_id) or (also_allowed and _is(caller, also_allowed))):
        caller.require(*STAFF)
    elder = require_elder(uow, elder_id)
    if not (_is(caller, elder["id"]) or (also_allowed and _is(caller, also_allowed))):
        caller.require_scope(elder["region_code"])
    return elder


def proxies_view(uow, elder_id) -> list[dict]:
    views = []
    for row in prepo.proxies_of(uow, elder_id):
        link = repo.verified_link_between(uow, elder_id, row["proxy_person_id"])
        views.append(proxy_view(row, kind_seen_from(link, str(elder_id)) if link else None))
    return views


def set_elder_proxy(uow, caller: Caller, elder_id, data: dict) -> dict:
    elder = _elder_for(uow, caller, elder_id)
    proxy = require_person(uow, data["proxy_person_id"])
    link = repo.verified_link_between(uow, elder["id"], proxy["id"])
    try:
        check_proxy(str(elder["id"]), str(proxy["id"]), link is not None)
    except ProxyRefused as exc:
        raise as_error(exc, {"elder_id": str(elder["id"]),
                             "proxy_person_id": str(proxy["id"])}) from None
    prepo.save_proxy(uow, elder["id"], proxy["id"], data.get("note"),
                     repo.as_uuid(caller.person_id))
    kind = kind_seen_from(link, str(elder["id"]))
    uow.emit("elder_proxy_set", ElderProxySetPayload().dump({
        "elder_id": str(elder["id"]), "proxy_person_id": str(proxy["id"]), "kind": kind,
        "region_code": elder["region_code"], "set_by": caller.person_id}), elder["region_code"])
    return {"elder_id": str(elder["id"]), "proxies": proxies_view(uow, elder["id"])}


def remove_elder_proxy(uow, caller: Caller, elder_id, proxy_person_id) -> dict:
    elder = _elder_for(uow, caller, elder_id, also_allowed=proxy_person_id)
    if not prepo.delete_proxy(uow, elder["id"], proxy_person_id):
        raise NotFound("proxy_not_found", "此人不是该老人的代理人",
                       "This person is not a proxy of this elder",
                       {"elder_id": str(elder["id"]), "proxy_person_id": str(proxy_person_id)})
    uow.emit("elder_proxy_removed", ElderProxyRemovedPayload().dump({
        "elder_id": str(elder["id"]), "proxy_person_id": str(proxy_person_id),
        "region_code": elder["region_code"], "removed_by": caller.person_id}),
        elder["region_code"])
    return {"elder_id": str(elder["id"]), "proxies": proxies_view(uow, elder["id"])}


def may_act_for(uow, person_id, elder_id) -> bool:
    """True for the elder's proxy (while still a verified relative) and for an operator of
    the elder's station; False otherwise, also for unknown ids."""
    person, elder = repo.as_uuid(person_id), repo.as_uuid(elder_id)
    if person is None or elder is None or person == elder:
        return False
    profile = repo.get_elder_profile(uow, elder)
    if profile is None:
        return False
    if prepo.is_proxy(uow, elder, person) and repo.verified_link_between(uow, elder, person):
        return True
    operated = [g["carrier_id"] for g in repo.grants_of(uow, person)
                if g["role"] == "station_operator"]
    return station_acts_for(operated, profile["carrier_id"])


def elders_acted_for(uow, person_id) -> list[str]:
    """The elders ``person_id`` is the proxy of, their relative link still verified (the
    same test as ``may_act_for``); a station operator's elders are not listed: staff see
    them through their scope. Empty for an unknown id."""
    person = repo.as_uuid(person_id)
    return [] if person is None else prepo.elders_of_proxy(uow, person)
