"""The demand service's nameko entrypoints: validate, one unit of work, domain, events.

Owns the service catalogue, demands and their lifecycle, assignments, check-in/out
evidence and service records (DESIGN.md §2, §5). Asks ``identity`` about elders and
volunteers over RPC, before its own transaction opens, so no row lock waits on a call.
"""
from __future__ import annotations

from nameko.rpc import RpcProxy

from timebank_common.caller import Caller
from timebank_common.db import utcnow
from timebank_common.outbox import OutboxRelay
from timebank_common.periods import day_bounds
from timebank_common.regions import prefix_of
from timebank_common.schemas import load
from timebank_common.service import Database, ServiceBase, rpc

from . import intake_repository as irepo
from . import payments, schemas
from . import repository as repo
from .domain import access
from .domain.lifecycle import Demand
from .lookup import demand_id as _demand_id
from .lookup import require_found as _require_found
from .rpc_assignment import AssignmentRpcs
from .rpc_disputes import DisputeRpcs
from .rpc_evaluation import EvaluationRpcs
from .rpc_intake import IntakeRpcs
from .rpc_recording import RecordingRpcs


class DemandService(IntakeRpcs, AssignmentRpcs, RecordingRpcs, EvaluationRpcs, DisputeRpcs,
                    ServiceBase):
    name = "demand"
    db = Database()
    relay = OutboxRelay()
    identity = RpcProxy("identity")

    # --- views ---------------------------------------------------------------
    def _view(self, demand: Demand, visibility: access.Visibility | None = None) -> dict:
        out = schemas.DemandOut().dump(demand)
        if visibility is not None and not visibility.sees_address(demand):
            out["address"] = access.mask_address(out["address"])
            out["location"] = None
        return out

    def _visibility(self, caller: Caller, elder_id: str | None = None) -> access.Visibility:
        """What the caller sees. A proxy (role ``relative``) sees the demands of the elders
        they act for as the elder does: with ``elder_id`` (one demand's elder) identity's
        ``may_act_for`` is asked about that elder, without it (a list) identity's
        ``elders_acted_for``. Every question within ``IDENTITY_RPC_TIMEOUT_SECONDS``."""
        volunteer_region = None
        if caller.has("volunteer") and caller.person_id:
            volunteer_region = self._ask_identity("check_volunteer",
                                                  caller.person_id).get("region_code")
        acts_for = ()
        if elder_id is None:
            if access.may_be_proxy(caller):
                acts_for = tuple(self._ask_identity("elders_acted_for", caller.person_id))
        elif access.may_be_proxy(caller, elder_id) and \
                self._ask_identity("may_act_for", caller.person_id, elder_id):
            acts_for = (elder_id,)
        return access.visibility_for(caller, volunteer_region, acts_for)

    # catalogue, submit, adjust, review, escalations, series, statistics: rpc_intake.IntakeRpcs

    @rpc
    def cancel(self, caller, demand_id, data):
        caller = Caller.from_dict(caller)
        data = load(schemas.CancelSchema(), data)
        demand_id = _demand_id(demand_id)
        with self.db() as uow:
            demand = _require_found(repo.get_demand(uow, demand_id, lock=True), demand_id)
            if caller.person_id != demand.elder_id:
                caller.require(*access.OPERATOR_ROLES)
                caller.require_scope(demand.region_code)
            demand.cancel(caller.person_id, utcnow(), data["reason"])
            repo.save_demand(uow, demand)
            irepo.close_escalation(uow, demand.id, "cancelled", demand.cancelled_at)
            payments.on_cancelled(uow, demand)
            uow.emit("demand_cancelled", schemas.DemandCancelledEvent().dump(demand),
                     demand.region_code)
            uow.commit()
        return self._view(demand)


    # --- reads -----------------------------------------------------------------------
    @rpc
    def get(self, caller, demand_id):
        caller = Caller.from_dict(caller)
        demand_id = _demand_id(demand_id)
        with self.db() as uow:
            demand = _require_found(repo.get_demand(uow, demand_id), demand_id)
            history = self.demand_history(uow, demand_id)
        visibility = self._visibility(caller, demand.elder_id)
        if not visibility.allows(demand):
            raise _require_found(None, demand_id)  # never reveal what exists outside scope
        view = self._with_reliability(caller, self._view(demand, visibility))
        if visibility.sees_address(demand):  # the adjustments may name the address
            view.update(history)
        return view

    @rpc
    def list(self, caller, filters=None):
        caller = Caller.from_dict(caller)
        filters = load(schemas.ListSchema(), filters)
        visibility = self._visibility(caller)
        region_prefix = prefix_of(filters["region_code"]) if filters["region_code"] else None
        with self.db() as uow:
            items, total = repo.list_demands(uow, visibility, filters["status"], region_prefix,
                                             filters["page"], filters["page_size"],
                                             filters["category"])
        return {"items": [self._view(d, visibility) for d in items], "total": total,
                "page": filters["page"], "page_size": filters["page_size"]}

    # --- internal: matching's rebuild -------------------------------------------
    @rpc
    def matching_demands(self, after=None, limit=1000):
        """Internal (matching's rebuild of its read model): demands published, assigned or in
        service whose window is not over, a page of at most ``limit`` by id:
        ``{items: [{demand_id, elder_id, category, region_code, window_start, window_end,
        expected_minutes, volunteers_needed, open_slots, location, qualifications,
        published_at, volunteer_ids}], next_after}`` (None on the last page)."""
        query = load(schemas.MatchingDemandsQuery(), {"after": after, "limit": limit})
        with self.db() as uow:
            rows = repo.matching_demand_rows(
                uow, str(query["after"]) if query["after"] else None, query["limit"], utcnow())
        return {"items": schemas.MatchingDemandOut(many=True).dump(rows),
                "next_after": rows[-1]["demand_id"] if len(rows) == query["limit"] else None}

    # --- internal: reconciliation ----------------------------------------------
    @rpc
    def service_records(self, region_prefix=None, period_from=None, period_to=None,
                        record_ids=None, after=None, limit=1000):
        """Internal (the ledger's reconciliation): service records of a region prefix recorded
        in a period of China dates (both included), and/or with these ids; a page of at most
        ``limit`` by record id: ``{items, next_after}`` (None on the last page)."""
        query = load(schemas.ServiceRecordsQuery(), {
            "region_prefix": region_prefix, "period_from": period_from, "period_to": period_to,
            "record_ids": record_ids, "after": after, "limit": limit})
        start, end = day_bounds(query["period_from"], query["period_to"])
        ids = None if query["record_ids"] is None else [str(i) for i in query["record_ids"]]
        with self.db() as uow:
            rows = repo.service_record_rows(
                uow, query["region_prefix"], start, end, ids,
                str(query["after"]) if query["after"] else None, query["limit"])
        return {"items": schemas.ServiceRecordRowOut(many=True).dump(rows),
                "next_after": rows[-1]["record_id"] if len(rows) == query["limit"] else None}
