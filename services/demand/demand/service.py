"""The demand service's nameko entrypoints: validate, one unit of work, domain, events.

Owns the service catalogue, demands and their lifecycle, assignments, check-in/out
evidence and service records (DESIGN.md §2, §5). Asks ``identity`` about elders and
volunteers over RPC, before its own transaction opens, so no row lock waits on a call.
"""
from __future__ import annotations

import uuid

from nameko.rpc import RpcProxy

from timebank_common.auth import Caller
from timebank_common.db import utcnow
from timebank_common.errors import BadInput, NotFound
from timebank_common.outbox import OutboxRelay
from timebank_common.periods import day_bounds
from timebank_common.regions import prefix_of
from timebank_common.schemas import load
from timebank_common.service import Database, ServiceBase, rpc

from . import repository as repo
from . import schemas
from .domain import access, catalogue, eligibility, rules
from .domain.lifecycle import Demand, not_assigned


def _demand_id(value) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise NotFound("demand_not_found", "需求不存在", "No such demand",
                       {"demand_id": value}) from None


def _require_found(demand: Demand | None, demand_id: str) -> Demand:
    if demand is None:
        raise NotFound("demand_not_found", "需求不存在", "No such demand", {"demand_id": demand_id})
    return demand


def _location(data: dict) -> dict | None:
    if data.get("lat") is None or data.get("lng") is None:
        return None
    return {"lat": data["lat"], "lng": data["lng"]}


class DemandService(ServiceBase):
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

    def _visibility(self, caller: Caller) -> access.Visibility:
        volunteer_region = None
        if caller.has("volunteer") and caller.person_id:
            volunteer_region = self.identity.check_volunteer(caller.person_id).get("region_code")
        return access.visibility_for(caller, volunteer_region)

    # --- catalogue -------------------------------------------------------------
    @rpc
    def catalog(self):
        with self.db() as uow:
            return schemas.CategoryOut(many=True).dump(list(repo.load_catalogue(uow).values()))

    # --- submit and review -----------------------------------------------------
    @rpc
    def submit(self, caller, data):
        caller = Caller.from_dict(caller)
        data = load(schemas.SubmitSchema(), data)
        access.authorize_submit(caller, data["channel"], data["elder_id"])
        now = utcnow()
        rules.validate_new_demand(data["window_start"], data["window_end"],
                                  data["expected_minutes"], data["volunteers_needed"], now)
        if data["category"] in catalogue.NOT_OFFERED:
            catalogue.require_offered(data["category"], {})
        elder = self.identity.get_elder(caller.to_dict(), data["elder_id"])
        access.authorize_for_elder(caller, data["elder_id"], elder["region_code"])
        with self.db() as uow:
            category = catalogue.require_offered(data["category"], repo.load_catalogue(uow))
            catalogue.check_group(category, data["volunteers_needed"])
            repo.lock_key(uow, "elder", data["elder_id"])
            rules.refuse_duplicate(
                data["window_start"], data["window_end"],
                repo.live_same_category(uow, data["elder_id"], category.code))
            demand = Demand(
                id=str(uuid.uuid4()), elder_id=data["elder_id"], category=category.code,
                region_code=elder["region_code"],
                window_start=data["window_start"], window_end=data["window_end"],
                expected_minutes=data["expected_minutes"],
                volunteers_needed=data["volunteers_needed"], channel=data["channel"],
                description=data["description"], address=data["address"],
                location=data["location"],
                carrier_id=elder.get("carrier_id") or caller.carrier_id,
                submitted_by=caller.person_id or caller.client_id,
            )
            repo.insert_demand(uow, demand)
            uow.emit("demand_submitted", schemas.DemandSubmittedEvent().dump(demand),
                     demand.region_code)
            uow.commit()
        return self._view(demand)

    @rpc
    def review(self, caller, demand_id, data):
        caller = Caller.from_dict(caller)
        caller.require(*access.OPERATOR_ROLES)
        data = load(schemas.ReviewSchema(), data)
        demand_id = _demand_id(demand_id)
        with self.db() as uow:
            demand = _require_found(repo.get_demand(uow, demand_id, lock=True), demand_id)
            caller.require_scope(demand.region_code)
            demand.review(data["decision"], caller.person_id, utcnow(),
                          funding_source=data["funding_source"], reason=data["reason"])
            repo.save_demand(uow, demand)
            if data["decision"] == "approve":
                uow.emit("demand_published", schemas.DemandPublishedEvent().dump(demand),
                         demand.region_code)
            else:
                uow.emit("demand_rejected", schemas.DemandRejectedEvent().dump(demand),
                         demand.region_code)
            uow.commit()
        return self._view(demand)

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
            uow.emit("demand_cancelled", schemas.DemandCancelledEvent().dump(demand),
                     demand.region_code)
            uow.commit()
        return self._view(demand)

    # --- claim and assign --------------------------------------------------------
    @rpc
    def claim(self, caller, demand_id):
        caller = Caller.from_dict(caller)
        caller.require("volunteer")
        return self._give_slot(caller, _demand_id(demand_id), caller.person_id, operator=False)

    @rpc
    def assign(self, caller, demand_id, volunteer_id):
        caller = Caller.from_dict(caller)
        caller.require(*access.OPERATOR_ROLES)
        if not volunteer_id:
            raise BadInput("volunteer_required", "请指定志愿者", "A volunteer_id is required")
        return self._give_slot(caller, _demand_id(demand_id), str(volunteer_id), operator=True)

    def _give_slot(self, caller: Caller, demand_id: str, volunteer_id: str, operator: bool):
        check = self.identity.check_volunteer(volunteer_id)
        now = utcnow()
        with self.db() as uow:
            demand = _require_found(repo.get_demand(uow, demand_id, lock=True), demand_id)
            if operator:
                caller.require_scope(demand.region_code)
            if demand.assignment_of(volunteer_id) is not None:
                return self._view(demand)  # a repeat (e.g. a redelivered RPC): no change
            demand.require_claimable()
            category = repo.load_catalogue(uow).get(demand.category)
            eligibility.require_eligible(check, category, demand.elder_id)
            repo.lock_key(uow, "volunteer", volunteer_id)
            rules.refuse_overlap(demand.window_start, demand.window_end,
                                 repo.active_windows_of(uow, volunteer_id, demand.id))
            demand.assign(volunteer_id, check.get("region_code"), caller.person_id, now)
            repo.save_demand(uow, demand)
            uow.emit("demand_assigned", schemas.DemandAssignedEvent().dump({
                "demand_id": demand.id, "volunteer_id": volunteer_id,
                "elder_id": demand.elder_id, "window_start": demand.window_start,
                "window_end": demand.window_end, "open_slots": demand.open_slots,
            }), demand.region_code)
            uow.commit()
        return self._view(demand)

    # --- presence ------------------------------------------------------------------
    @rpc
    def check_in(self, caller, demand_id, data=None):
        return self._presence(caller, demand_id, data, "check_in")

    @rpc
    def check_out(self, caller, demand_id, data=None):
        return self._presence(caller, demand_id, data, "check_out")

    def _presence(self, caller, demand_id, data, action: str):
        caller = Caller.from_dict(caller)
        caller.require("volunteer")
        data = load(schemas.PresenceSchema(), data)
        demand_id = _demand_id(demand_id)
        now = utcnow()
        with self.db() as uow:
            demand = _require_found(repo.get_demand(uow, demand_id, lock=True), demand_id)
            step = demand.check_in if action == "check_in" else demand.check_out
            if step(caller.person_id, data["at"] or now, now, _location(data)):
                repo.save_demand(uow, demand)
                uow.commit()
        return self._view(demand)

    # --- record ----------------------------------------------------------------------
    @rpc
    def record(self, caller, demand_id, data):
        caller = Caller.from_dict(caller)
        caller.require(*access.OPERATOR_ROLES)
        data = load(schemas.RecordSchema(), data)
        demand_id = _demand_id(demand_id)
        with self.db() as uow:
            demand = _require_found(repo.get_demand(uow, demand_id, lock=True), demand_id)
            caller.require_scope(demand.region_code)
            assignment = demand.assignment_of(data["volunteer_id"])
            if assignment is None:
                raise not_assigned(data["volunteer_id"])
            existing = repo.record_for(uow, assignment.id)
            if existing is not None:
                return schemas.RecordOut().dump(existing)  # a repeat: no second event
            rules.validate_recorded_minutes(data["minutes"])
            demand.mark_recorded(assignment.volunteer_id)
            record = {
                "record_id": str(uuid.uuid4()), "demand_id": demand.id,
                "volunteer_id": assignment.volunteer_id,
                "volunteer_region_code": assignment.volunteer_region_code,
                "elder_id": demand.elder_id, "category": demand.category,
                "minutes": data["minutes"], "confirmation": data["confirmation"],
                "note": data["note"], "funding_source": demand.funding_source,
                "region_code": demand.region_code, "carrier_id": demand.carrier_id,
                "recorded_by": caller.person_id, "recorded_at": utcnow(),
                "flags": rules.evidence_flags(data["minutes"], assignment.checked_in_at,
                                              assignment.checked_out_at),
            }
            repo.insert_record(uow, record, assignment.id)
            repo.save_demand(uow, demand)
            uow.emit("service_recorded", schemas.ServiceRecordedEvent().dump(record),
                     demand.region_code)
            uow.commit()
        return schemas.RecordOut().dump(record)

    # --- reads -----------------------------------------------------------------------
    @rpc
    def get(self, caller, demand_id):
        caller = Caller.from_dict(caller)
        demand_id = _demand_id(demand_id)
        with self.db() as uow:
            demand = _require_found(repo.get_demand(uow, demand_id), demand_id)
        visibility = self._visibility(caller)
        if not visibility.allows(demand):
            raise _require_found(None, demand_id)  # never reveal what exists outside scope
        return self._view(demand, visibility)

    @rpc
    def list(self, caller, filters=None):
        caller = Caller.from_dict(caller)
        filters = load(schemas.ListSchema(), filters)
        visibility = self._visibility(caller)
        region_prefix = prefix_of(filters["region_code"]) if filters["region_code"] else None
        with self.db() as uow:
            items, total = repo.list_demands(uow, visibility, filters["status"], region_prefix,
                                             filters["page"], filters["page_size"])
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
