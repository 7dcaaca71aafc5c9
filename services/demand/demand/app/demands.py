"""A demand and the lists of demands, as each caller may see them; cancelling a demand; and
the internal listings matching (its read model) and the ledger (reconciliation) page through.

Who sees what (DESIGN.md §4, ``domain/access.py``): staff the demands of their scope, an
elder their own, a proxy (role ``relative``) those of the elders they act for (identity's
``may_act_for`` / ``elders_acted_for``), a volunteer the published ones of their city and
those they serve (the address masked until they serve the elder)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.periods import day_bounds
from timebank_common.regions import prefix_of

from ..adapters import demand_repository as repo
from ..adapters import escalation_repository as escalations
from ..adapters.identity import IdentityClient
from ..contracts import DEMAND_CANCELLED, MatchingDemandOut, ServiceRecordRowOut
from . import payloads, payments
from .lookup import demand_id as checked_demand_id
from .lookup import demand_not_found, require_found, require_reach
from .views import demand_view, history_of, with_reliability
from .visibility import visibility


def get_demand(db: UnitOfWorkFactory, caller: Caller, demand_id: Any,
               identity: IdentityClient) -> dict[str, Any]:
    """The demand with, to whoever sees its address, its ``changes`` and ``escalation``; a
    demand the caller may not see is 404, as if it did not exist."""
    demand_id = checked_demand_id(demand_id)
    with db() as uow:
        demand = require_found(repo.get_demand(uow, demand_id), demand_id)
        history = history_of(uow, demand_id)
    seen_by = visibility(identity, caller, demand.elder_id)
    if not seen_by.allows(demand):
        raise demand_not_found(demand_id)  # never reveal what exists outside scope
    view = with_reliability(db, caller, demand_view(demand, seen_by))
    if seen_by.sees_address(demand):  # the adjustments may name the address
        view.update(history)
    return view


def list_demands(db: UnitOfWorkFactory, caller: Caller, filters: dict[str, Any],
                 identity: IdentityClient) -> dict[str, Any]:
    seen_by = visibility(identity, caller)
    if filters.get("mine"):
        seen_by = seen_by.own_only()
    region_prefix = prefix_of(filters["region_code"]) if filters["region_code"] else None
    with db() as uow:
        items, total = repo.list_demands(uow, seen_by, filters["status"], region_prefix,
                                         filters["page"], filters["page_size"],
                                         filters["category"])
    return {"items": [demand_view(d, seen_by) for d in items], "total": total,
            "page": filters["page"], "page_size": filters["page_size"]}


def cancel(db: UnitOfWorkFactory, caller: Caller, demand_id: Any, data: dict[str, Any],
           now: dt.datetime) -> dict[str, Any]:
    """The elder, or operators/admins in scope: ``cancelled`` (from submitted, published or
    assigned); the escalation closes, reservations are released."""
    caller.require("elder", *STATION_STAFF)  # before the look-up: the same for any id
    demand_id = checked_demand_id(demand_id)
    with db() as uow:
        demand = require_found(repo.get_demand(uow, demand_id, lock=True), demand_id)
        if caller.person_id != demand.elder_id:
            if not caller.has(*STATION_STAFF):  # another elder's: not revealed
                raise demand_not_found(demand_id)
            require_reach(caller, demand.region_code, demand_not_found(demand_id))
        demand.cancel(caller.person_id, now, data["reason"])
        repo.save_demand(uow, demand)
        escalations.close_escalation(uow, demand.id, "cancelled", demand.cancelled_at)
        payments.on_cancelled(uow, demand)
        uow.emit(DEMAND_CANCELLED, payloads.cancelled(demand), demand.region_code)
        uow.commit()
    return demand_view(demand)


def matching_demands(db: UnitOfWorkFactory, query: dict[str, Any], now: dt.datetime
                     ) -> dict[str, Any]:
    """Demands published, assigned or in service whose window is not over, a page of at most
    ``limit`` by id; ``next_after`` None on the last page."""
    with db() as uow:
        rows = repo.matching_demand_rows(
            uow, str(query["after"]) if query["after"] else None, query["limit"], now)
    return {"items": MatchingDemandOut(many=True).dump(rows),
            "next_after": rows[-1]["demand_id"] if len(rows) == query["limit"] else None}


def service_records(db: UnitOfWorkFactory, query: dict[str, Any]) -> dict[str, Any]:
    """Service records of a region prefix recorded in a period of China dates (both
    included), and/or with these ids; a page of at most ``limit`` by record id."""
    start, end = day_bounds(query["period_from"], query["period_to"])
    ids = None if query["record_ids"] is None else [str(i) for i in query["record_ids"]]
    with db() as uow:
        rows = repo.service_record_rows(
            uow, query["region_prefix"], start, end, ids,
            str(query["after"]) if query["after"] else None, query["limit"])
    return {"items": ServiceRecordRowOut(many=True).dump(rows),
            "next_after": rows[-1]["record_id"] if len(rows) == query["limit"] else None}
