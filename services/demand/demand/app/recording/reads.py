"""Service records as each caller may see them: a demand's records with their audit (staff
in scope, the elder and their proxy: all; a volunteer: their own), and the staff's lists of
records in a status (default ``held``: the reviewers' queue)."""
from __future__ import annotations

from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import Forbidden
from timebank_common.regions import prefix_of

from ...adapters import demand_repository as repo
from ...adapters import recording_repository as records
from ...adapters.identity import IdentityClient
from ...contracts import RecordPageOut, RecordWithAuditOut
from ...domain import access
from ..lookup import demand_id as checked_demand_id
from ..lookup import demand_not_found, require_found
from ..visibility import visibility
from .record import elder_of


def record_view_in(uow, row: dict[str, Any]) -> dict[str, Any]:
    """The record with its audit, read in ``uow``."""
    row["audit"] = records.audit_of(uow, row["record_id"])
    view: dict[str, Any] = RecordWithAuditOut().dump(row)
    return view


def record_view(db: UnitOfWorkFactory, row: dict[str, Any]) -> dict[str, Any]:
    """The record with its audit, read in a unit of work of its own."""
    with db() as uow:
        return record_view_in(uow, row)


def demand_records(db: UnitOfWorkFactory, caller: Caller, demand_id: Any,
                   identity: IdentityClient) -> list[dict[str, Any]]:
    """The demand's service records with their audit, for whoever may see the demand."""
    demand_id = checked_demand_id(demand_id)
    # may ask identity: before the transaction
    seen_by = visibility(identity, caller, elder_of(db, demand_id))
    with db() as uow:
        demand = require_found(repo.get_demand(uow, demand_id), demand_id)
        rows = records.of_demand(uow, demand_id)
        if not seen_by.allows(demand):
            raise demand_not_found(demand_id)
        staff = seen_by.region_prefix is not None and \
            demand.region_code.startswith(seen_by.region_prefix)
        if not staff and not seen_by.speaks_for_elder(demand):  # a volunteer: their own
            rows = [r for r in rows if r["volunteer_id"] == caller.person_id]
        return [record_view_in(uow, r) for r in rows]


def list_records(db: UnitOfWorkFactory, caller: Caller, query: dict[str, Any]
                 ) -> dict[str, Any]:
    """Staff in scope: records in a status (default ``held``)."""
    caller.require(*access.READ_ALL_ROLES)
    if not caller.scope:
        raise Forbidden("scope_required", "您没有管辖范围", "You have no region scope")
    prefix = prefix_of(caller.scope)
    if query["region_code"]:
        caller.require_scope(query["region_code"])
        prefix = prefix_of(query["region_code"])
    with db() as uow:
        items, total = records.in_status(uow, query["status"], prefix, query["page"],
                                         query["page_size"])
    page: dict[str, Any] = RecordPageOut().dump({"items": items, "total": total,
                                                 "page": query["page"],
                                                 "page_size": query["page_size"]})
    return page
