"""Elders' proxies (代理人): a verified direct relative who may act for an elder, like a
guardian account; the elder's station acts for them through its operators already.

Who sets a proxy: the elder themself, or staff (station operators and admins) with the
elder's region in scope. Who removes one: the same, or the proxy stepping down.
``may_act_for`` (internal) tells other services whether a person may act for an elder;
``elders_acted_for`` (internal) lists the elders a person is the proxy of (demand's lists).
A proxy's access token carries the role ``relative`` (``domain.access.caller_claims``).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.db import UnitOfWork, UnitOfWorkFactory
from timebank_common.errors import NotFound

from ..adapters import grants, persons, relatives
from ..adapters import proxies as proxy_rows
from ..adapters.rows import as_uuid
from ..contracts import ELDER_PROXY_REMOVED, ELDER_PROXY_SET
from ..domain.proxies import ProxyRefused, check_proxy, station_acts_for
from ..domain.relatives import kind_seen_from
from ..domain.standing import acts_through_others
from .priorities import require_elder
from .refusals import as_error
from .registration import require_person
from .views import proxy_view


def _is(caller: Caller, person_id: Any) -> bool:
    return bool(caller.person_id) and caller.person_id == str(person_id)


def _elder_for(uow: UnitOfWork, caller: Caller, elder_id: Any,
               also_allowed: Any = None) -> dict[str, Any]:
    """The elder, if the caller is them (or ``also_allowed``), or staff with them in scope."""
    if not (_is(caller, elder_id) or (also_allowed and _is(caller, also_allowed))):
        caller.require(*STATION_STAFF)
    elder = require_elder(uow, elder_id)
    if not (_is(caller, elder["id"]) or (also_allowed and _is(caller, also_allowed))):
        caller.require_scope(elder["region_code"])
    return elder


def proxies_view(uow: UnitOfWork, elder_id: Any) -> list[dict[str, Any]]:
    views = []
    for row in proxy_rows.proxies_of(uow, elder_id):
        link = relatives.verified_link_between(uow, elder_id, row["proxy_person_id"])
        views.append(proxy_view(row, kind_seen_from(link, str(elder_id)) if link else None))
    return views


def set_elder_proxy(db: UnitOfWorkFactory, caller: Caller, elder_id: Any,
                    data: Mapping[str, Any]) -> dict[str, Any]:
    with db() as uow:
        elder = _elder_for(uow, caller, elder_id)
        proxy = require_person(uow, data["proxy_person_id"])
        link = relatives.verified_link_between(uow, elder["id"], proxy["id"])
        try:
            check_proxy(str(elder["id"]), str(proxy["id"]), link is not None)
        except ProxyRefused as exc:
            raise as_error(exc, {"elder_id": str(elder["id"]),
                                 "proxy_person_id": str(proxy["id"])}) from None
        assert link is not None  # check_proxy refuses a proxy without a verified link
        proxy_rows.save_proxy(uow, elder["id"], proxy["id"], data.get("note"),
                              as_uuid(caller.person_id))
        kind = kind_seen_from(link, str(elder["id"]))
        uow.emit(ELDER_PROXY_SET, {
            "elder_id": str(elder["id"]), "proxy_person_id": str(proxy["id"]), "kind": kind,
            "region_code": elder["region_code"], "set_by": caller.person_id},
            elder["region_code"])
        answer = {"elder_id": str(elder["id"]), "proxies": proxies_view(uow, elder["id"])}
        uow.commit()
    return answer


def remove_elder_proxy(db: UnitOfWorkFactory, caller: Caller, elder_id: Any,
                       proxy_person_id: Any) -> dict[str, Any]:
    with db() as uow:
        elder = _elder_for(uow, caller, elder_id, also_allowed=proxy_person_id)
        if not proxy_rows.delete_proxy(uow, elder["id"], proxy_person_id):
            raise NotFound("proxy_not_found", "此人不是该老人的代理人",
                           "This person is not a proxy of this elder",
                           {"elder_id": str(elder["id"]),
                            "proxy_person_id": str(proxy_person_id)})
        uow.emit(ELDER_PROXY_REMOVED, {
            "elder_id": str(elder["id"]), "proxy_person_id": str(proxy_person_id),
            "region_code": elder["region_code"], "removed_by": caller.person_id},
            elder["region_code"])
        answer = {"elder_id": str(elder["id"]), "proxies": proxies_view(uow, elder["id"])}
        uow.commit()
    return answer


def may_act_for(db: UnitOfWorkFactory, person_id: Any, elder_id: Any) -> bool:
    """True for the elder's proxy (while still a verified relative) and for an operator of
    the elder's station, while the elder lives; False otherwise, also for unknown ids."""
    person, elder = as_uuid(person_id), as_uuid(elder_id)
    if person is None or elder is None or person == elder:
        return False
    with db() as uow:
        profile = persons.get_elder_profile(uow, elder)
        if profile is None:
            return False
        standing = persons.get_person(uow, elder)
        if standing is None or not acts_through_others(standing.get("status")):
            return False  # nobody acts for a deceased elder
        if proxy_rows.is_proxy(uow, elder, person) and \
                relatives.verified_link_between(uow, elder, person):
            return True
        operated = [g["carrier_id"] for g in grants.grants_of(uow, person)
                    if g["role"] == "station_operator"]
    return station_acts_for(operated, profile["carrier_id"])


def elders_acted_for(db: UnitOfWorkFactory, person_id: Any) -> list[str]:
    """The elders ``person_id`` is the proxy of, their relative link still verified (the
    same test as ``may_act_for``); a station operator's elders are not listed: staff see
    them through their scope. Empty for an unknown id."""
    person = as_uuid(person_id)
    if person is None:
        return []
    with db() as uow:
        return proxy_rows.elders_of_proxy(uow, person)
