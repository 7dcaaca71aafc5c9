"""Batch dispatch of a region's open demands, the proposals it makes and their decision, and
the region setting that says whether proposals are applied at once."""
from __future__ import annotations

import uuid
from typing import Any, Protocol

from timebank_common.caller import ADMIN_ROLES, STAFF_ROLES, STATION_STAFF, Caller
from timebank_common.clock import Clock
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import BadInput, Conflict, DomainError, Unavailable
from timebank_common.schemas import load

from ..adapters import dispatch_runs, match_inputs, outcomes, region_settings
from ..adapters.index_cache import IndexCache
from ..contracts import DISPATCH_RUN, PROPOSAL_DECIDED, PROPOSAL_STATUSES, DispatchSchema
from ..domain.access import covered, no_proposal, no_scope, require_station_staff_in_scope
from ..domain.dispatch import plan_dispatch
from .requirements import Catalogue, with_requirements


class Assigner(Catalogue, Protocol):
    def assign(self, caller: dict[str, Any], demand_id: str, volunteer_id: str) -> Any: ...


def set_dispatch_setting(db: UnitOfWorkFactory, caller: Caller, region_code: Any,
                         data: dict[str, Any], clock: Clock) -> dict[str, Any]:
    """Admins in scope: dispatch in the region (and the regions under it without a setting of
    their own) applies its proposals at once, or holds them for approval."""
    caller.require(*ADMIN_ROLES)
    region_code = load(DispatchSchema(), {"region_code": region_code})["region_code"]
    caller.require_scope(region_code)
    with db() as uow:
        region_settings.set_auto_apply(uow, region_code, data["auto_apply"], caller.person_id,
                                       clock.now())
        uow.commit()
    return {"region_code": region_code, "auto_apply": data["auto_apply"]}


def dispatch(db: UnitOfWorkFactory, views: IndexCache, caller: Caller, data: dict[str, Any],
             clock: Clock, demand: Assigner) -> dict[str, Any]:
    """Propose one volunteer per open slot of the region's open demands (window ahead, a place,
    slots open); the proposals are saved as held, then applied through demand's ``assign``
    when the request or the region's setting says ``auto_apply``."""
    region_code = data["region_code"]
    require_station_staff_in_scope(caller, region_code)
    now = clock.now()
    with db() as uow:
        auto = data["auto_apply"]
        if auto is None:
            auto = region_settings.auto_apply_for(uow, region_code)
        demands = with_requirements(
            uow, demand, match_inputs.demands_to_dispatch(uow, region_code, now))
        index = views.current(uow, now).volunteers
    planned = plan_dispatch(demands, index, now)  # never yields: one state of the index
    run_id = str(uuid.uuid4())
    rows: list[dict[str, Any]] = [
        {"proposal_id": str(uuid.uuid4()), "run_id": run_id, "region_code": region_code,
         "demand_id": p.demand_id, "volunteer_id": p.volunteer_id,
         "distance_km": p.distance_km, "status": "held", "created_at": now,
         "decided_by": None, "decided_at": None, "error": None} for p in planned]
    with db() as uow:  # recorded first: a crash while applying leaves them held
        dispatch_runs.save_run(uow, {
            "run_id": run_id, "region_code": region_code, "requested_by": caller.person_id
            or caller.client_id or "?", "started_at": now, "auto_apply": auto,
            "demands": len(demands), "slots": sum(d.open_slots for d in demands),
            "proposed": len(rows)}, rows)
        for r in rows:
            outcomes.first_candidate(uow, r["demand_id"], now)
        uow.emit(DISPATCH_RUN, {"run_id": run_id, "region_code": region_code,
                                "started_at": now, "proposed": len(rows)}, region_code)
        uow.commit()
    if auto:
        for r in rows:
            r.update(_apply(db, caller, r, clock, demand))
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("applied", "held",
                                                                      "failed")}
    return {"run_id": run_id, "region_code": region_code, "auto_apply": auto,
            "demands": len(demands), "slots": sum(d.open_slots for d in demands),
            "proposed": len(rows), **counts, "proposals": rows}


def _apply(db: UnitOfWorkFactory, caller: Caller, proposal: dict[str, Any], clock: Clock,
           demand: Assigner) -> dict[str, Any]:
    """Ask demand to assign; the proposal becomes applied, or failed with demand's reason."""
    now = clock.now()
    try:
        demand.assign(caller.to_dict(), proposal["demand_id"], proposal["volunteer_id"])
        outcome: dict[str, Any] = {"status": "applied", "error": None}
    except Unavailable:
        raise
    except DomainError as exc:
        outcome = {"status": "failed", "error": exc.code}
    with db() as uow:
        dispatch_runs.set_proposal_status(uow, proposal["proposal_id"], outcome["status"],
                                          caller.person_id, now, outcome["error"])
        _decided(uow, proposal, outcome["status"])
        uow.commit()
    return {**outcome, "decided_by": caller.person_id, "decided_at": now}


def _decided(uow, proposal: dict[str, Any], status: str) -> None:
    """Announce a proposal's decision (``proposal_decided``), in its transaction."""
    uow.emit(PROPOSAL_DECIDED, {
        "proposal_id": proposal["proposal_id"], "run_id": proposal["run_id"],
        "demand_id": proposal["demand_id"], "region_code": proposal["region_code"],
        "status": status, "created_at": proposal["created_at"]}, proposal["region_code"])


def proposals(db: UnitOfWorkFactory, caller: Caller, status: str | None) -> list[Any]:
    """Proposals in the caller's scope with this status (None: any), newest first."""
    caller.require(*STAFF_ROLES)
    if not caller.scope:
        raise no_scope()
    if status is not None and status not in PROPOSAL_STATUSES:
        raise BadInput("bad_status", "状态无效", "Unknown proposal status", {"status": status})
    with db() as uow:
        rows = dispatch_runs.list_proposals(uow, caller.scope, status)
    return [r._asdict() for r in rows]


def decide_proposal(db: UnitOfWorkFactory, caller: Caller, proposal_id: Any, decision: str,
                    clock: Clock, demand: Assigner) -> dict[str, Any]:
    """Approve (demand is asked to assign) or reject a held proposal: station staff in its
    scope (404 ``proposal_not_found`` outside it, as for an id nobody has); 409
    ``proposal_decided`` once decided."""
    caller.require(*STATION_STAFF)
    with db() as uow:
        row = dispatch_runs.get_proposal(uow, str(proposal_id), lock=True)
        covered(caller, None if row is None else row.region_code, no_proposal(str(proposal_id)))
        if row.status != "held":
            raise Conflict("proposal_decided", "该派单建议已处理", "This proposal was already "
                           "decided", {"status": row.status})
        decided_at = clock.now()
        if decision == "reject":
            dispatch_runs.set_proposal_status(uow, row.proposal_id, "rejected",
                                              caller.person_id, decided_at)
            _decided(uow, row._asdict(), "rejected")
        uow.commit()
        proposal: dict[str, Any] = row._asdict()
    if decision == "approve":
        proposal.update(_apply(db, caller, proposal, clock, demand))
    else:
        proposal.update({"status": "rejected", "decided_by": caller.person_id,
                         "decided_at": decided_at})
    return proposal
