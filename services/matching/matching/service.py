"""The matching service: a read model of open demands, fed by demand events, and the feed.

It owns no source of truth. Claims stay atomic in ``demand``; the feed only says
what is worth claiming.
"""
from __future__ import annotations

import uuid
from dataclasses import replace

from marshmallow import ValidationError
from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy

from timebank_common import remote
from timebank_common.caller import ADMIN_ROLES, STAFF_ROLES, Caller
from timebank_common.db import utcnow
from timebank_common.errors import (
    BadInput,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    Unavailable,
)
from timebank_common.events import event_handler, once
from timebank_common.periods import day_bounds
from timebank_common.regions import prefix_of
from timebank_common.schemas import load
from timebank_common.service import Database, ServiceBase, rpc, scheduled

from . import change_log, rebuild, schemas
from . import dispatch_repository as dispatch_repo
from . import repository as repo
from . import volunteer_repository as vrepo
from .domain.candidates import CANDIDATES_SHOWN
from .domain.dispatch import plan_dispatch
from .domain.ranking import FEED_SIZE, city_unit, rank_for_volunteer
from .domain.scoring import GOOD_RATING, WEIGHTS
from .domain.slots import slots_on_publish
from .index_cache import CHANGE_LOG_KEPT, SharedIndex


def _read(schema, event: dict) -> tuple[dict, dict]:
    """(payload, envelope) validated; a malformed event fails, is retried, then dead-lettered."""
    try:
        return schema.load(event.get("payload") or {}), schemas.Envelope().load(event)
    except ValidationError as exc:
        raise ValueError(f"{event.get('event_type')} event invalid: {exc.messages}") from exc


def _feed_region(caller: Caller, volunteer_id: str) -> tuple[str | None, str | None]:
    """(region to rank around, scope to restrict to) for this caller reading this feed."""
    if caller.has("volunteer") and caller.person_id == volunteer_id:
        return caller.scope, None
    if caller.is_staff():
        if not caller.scope:
            raise Forbidden("out_of_scope", "您没有管辖范围", "You have no region scope")
        return caller.scope, caller.scope
    raise Forbidden("feed_not_yours", "只能查看自己的推荐需求",
                    "You can only read your own demand feed")


OPERATORS = (*ADMIN_ROLES, "station_operator")


# a page of a bulk listing for the rebuild may take this many times the RPC timeout
REBUILD_TIMEOUT_FACTOR = 6


def _require_operator_in_scope(caller: Caller, region_code: str) -> None:
    caller.require(*OPERATORS)
    caller.require_scope(region_code)


def _preferences_owner(caller: Caller, volunteer_id: str, write: bool) -> None:
    if caller.has("volunteer") and caller.person_id == volunteer_id:
        return
    if caller.has(*(OPERATORS if write else STAFF_ROLES)):
        return
    raise Forbidden("preferences_not_yours", "只能查看或修改自己的服务偏好",
                    "You can only read or change your own preferences")


class MatchingService(ServiceBase):
    name = "matching"
    db = Database()
    config = Config()
    demand = RpcProxy("demand")
    identity = RpcProxy("identity")
    volunteer_index = SharedIndex()

    # --- events ------------------------------------------------------------------
    @event_handler("demand", "demand_published")
    @once("matching.on_demand_published")
    def on_demand_published(self, uow, event):
        payload, envelope = _read(schemas.DemandPublishedEvent(), event)
        repo.lock_demand(uow, payload["demand_id"])
        slots = slots_on_publish(payload["volunteers_needed"],
                                 repo.known_open_slots(uow, payload["demand_id"]))
        if slots <= 0:
            return  # already filled or cancelled by the time we heard of it
        location = payload["location"] or {}
        vrepo_outcome(uow, payload, envelope)
        repo.add_open_demand(uow, {
            "demand_id": payload["demand_id"], "region_code": payload["region_code"],
            "city_unit": city_unit(payload["region_code"]), "category": payload["category"],
            "elder_id": payload["elder_id"], "window_start": payload["window_start"],
            "window_end": payload["window_end"], "expected_minutes": payload["expected_minutes"],
            "open_slots": slots, "location_lat": location.get("lat"),
            "location_lng": location.get("lng"), "published_at": envelope["occurred_at"],
            "qualifications": payload["qualifications"],
        })
        if payload["priority"]:
            vrepo.note_priority_elder(uow, payload["elder_id"])

    @event_handler("demand", "demand_assigned")
    @once("matching.on_demand_assigned")
    def on_demand_assigned(self, uow, event):
        payload, envelope = _read(schemas.DemandAssignedEvent(), event)
        self._slots_changed(uow, payload["demand_id"], payload["open_slots"], envelope)
        if payload["volunteer_id"] and payload["window_start"] and payload["window_end"]:
            vrepo.add_assignment(uow, payload["demand_id"], payload["volunteer_id"],
                                 payload["window_start"], payload["window_end"])
        dispatch_repo.note_first(uow, payload["demand_id"], "first_assigned_at",
                                 envelope["occurred_at"])

    @event_handler("demand", "demand_cancelled")
    @once("matching.on_demand_cancelled")
    def on_demand_cancelled(self, uow, event):
        payload, envelope = _read(schemas.DemandCancelledEvent(), event)
        self._slots_changed(uow, payload["demand_id"], 0, envelope)
        vrepo.end_assignment(uow, payload["demand_id"])

    @event_handler("demand", "demand_started")
    @once("matching.on_demand_started")
    def on_demand_started(self, uow, event):
        """The first volunteer checked in (before the window too): the demand is under way
        and takes no more volunteers, so it leaves feeds, candidates and dispatch."""
        payload, envelope = _read(schemas.DemandStartedEvent(), event)
        self._slots_changed(uow, payload["demand_id"], payload["open_slots"], envelope)

    @event_handler("demand", "assignment_withdrawn")
    @once("matching.on_assignment_withdrawn")
    def on_assignment_withdrawn(self, uow, event):
        self._assignment_ended(uow, event, no_show=False)

    @event_handler("demand", "assignment_no_show")
    @once("matching.on_assignment_no_show")
    def on_assignment_no_show(self, uow, event):
        self._assignment_ended(uow, event, no_show=True)

    def _assignment_ended(self, uow, event, no_show: bool) -> None:
        payload, envelope = _read(schemas.AssignmentEndedEvent(), event)
        vrepo.end_assignment(uow, payload["demand_id"], payload["volunteer_id"])
        if no_show:
            vrepo.add_history(uow, payload["volunteer_id"], no_shows=1)
        if payload["open_slots"] is not None:
            self._slots_changed(uow, payload["demand_id"], payload["open_slots"], envelope)

    @event_handler("demand", "service_recorded")
    @once("matching.on_service_recorded")
    def on_service_recorded(self, uow, event):
        payload, envelope = _read(schemas.ServiceRecordedEvent(), event)
        vrepo.end_assignment(uow, payload["demand_id"], payload["volunteer_id"])
        vrepo.add_history(uow, payload["volunteer_id"], completed=1)
        vrepo.add_minutes(uow, payload["volunteer_id"],
                          payload["recorded_at"] or envelope["occurred_at"], payload["minutes"])

    @event_handler("demand", "evaluation_submitted")
    @once("matching.on_evaluation_submitted")
    def on_evaluation_submitted(self, uow, event):
        payload, _ = _read(schemas.EvaluationSubmittedEvent(), event)
        vrepo.add_history(uow, payload["volunteer_id"], rating_sum=float(payload["score"]),
                          rating_count=1)
        if payload["score"] >= GOOD_RATING:
            vrepo.note_good_rating(uow, payload["elder_id"], payload["volunteer_id"])

    # --- identity events ----------------------------------------------------------------------
    @event_handler("identity", "volunteer_eligible")
    @once("matching.on_volunteer_eligible")
    def on_volunteer_eligible(self, uow, event):
        payload, envelope = _read(schemas.VolunteerEligibleEvent(), event)
        vrepo.note_volunteer(uow, payload["person_id"], payload["region_code"], True,
                             payload["qualifications"], envelope["occurred_at"])

    @event_handler("identity", "volunteer_suspended")
    @once("matching.on_volunteer_suspended")
    def on_volunteer_suspended(self, uow, event):
        payload, envelope = _read(schemas.VolunteerSuspendedEvent(), event)
        vrepo.note_volunteer(uow, payload["person_id"], payload["region_code"], False, None,
                             envelope["occurred_at"])

    @event_handler("identity", "qualification_expired")
    @once("matching.on_qualification_expired")
    def on_qualification_expired(self, uow, event):
        payload, _ = _read(schemas.QualificationEvent(), event)
        vrepo.change_qualification(uow, payload["person_id"], payload["kind"], held=False)

    @event_handler("identity", "qualification_verified")
    @once("matching.on_qualification_verified")
    def on_qualification_verified(self, uow, event):
        payload, _ = _read(schemas.QualificationEvent(), event)
        vrepo.change_qualification(uow, payload["person_id"], payload["kind"], held=True)

    @event_handler("identity", "elder_priority_granted")
    @once("matching.on_elder_priority_granted")
    def on_elder_priority_granted(self, uow, event):
        payload, _ = _read(schemas.ElderPriorityGrantedEvent(), event)
        vrepo.note_priority_elder(uow, payload["person_id"])

    @staticmethod
    def _slots_changed(uow, demand_id: str, open_slots: int, envelope: dict) -> None:
        repo.lock_demand(uow, demand_id)
        if repo.note_open_slots(uow, demand_id, open_slots, envelope["occurred_at"]):
            repo.set_open_slots(uow, demand_id, open_slots)

    # --- RPC -----------------------------------------------------------------------
    @rpc
    def feed_for(self, caller, volunteer_id):
        caller = Caller.from_dict(caller)
        if not volunteer_id:
            raise BadInput("volunteer_required", "请指定志愿者", "A volunteer_id is required")
        region, restrict_to = _feed_region(caller, str(volunteer_id))
        now = utcnow()
        with self.db() as uow:
            volunteer = self.volunteer_index.current(uow, now).volunteers.get(str(volunteer_id))
            if volunteer is not None:  # known home, radius and hours: only what they may take
                requirements = self._requirements(uow, self.volunteer_index.demands
                                                  .category_codes())
                ranked = self.volunteer_index.demands.feed(  # no yield: one state of the view
                    volunteer, now, FEED_SIZE, requirements,
                    prefix_of(restrict_to) if restrict_to else None)
                return {"items": [schemas.FeedItem().dump(_feed_item(e.demand, e.distance_km))
                                  for e in ranked]}
            candidates = repo.feed_candidates(uow, city_unit(region), restrict_to, now, FEED_SIZE)
        ranked = rank_for_volunteer(candidates, region, now)
        item = schemas.FeedItem()
        return {"items": [item.dump(d) for d in ranked]}

    # --- volunteers' preferences (matching's own data) -----------------------------------------
    @rpc
    def set_preferences(self, caller, volunteer_id, data):
        caller = Caller.from_dict(caller)
        volunteer_id = _volunteer_id(volunteer_id)
        _preferences_owner(caller, volunteer_id, write=True)
        prefs = load(schemas.PreferencesSchema(), data or {})
        with self.db() as uow:
            vrepo.save_preferences(uow, volunteer_id, prefs, utcnow())
            uow.commit()
            return {"volunteer_id": volunteer_id, **vrepo.get_preferences(uow, volunteer_id)}

    @rpc
    def get_preferences(self, caller, volunteer_id):
        caller = Caller.from_dict(caller)
        volunteer_id = _volunteer_id(volunteer_id)
        _preferences_owner(caller, volunteer_id, write=False)
        with self.db() as uow:
            prefs = vrepo.get_preferences(uow, volunteer_id)
        if prefs is None:
            raise NotFound("preferences_not_set", "该志愿者尚未填写服务地点和时间",
                           "This volunteer has not set a home location and hours yet")
        return {"volunteer_id": volunteer_id, **prefs}

    # --- candidates -------------------------------------------------------------------------
    @rpc
    def candidates_for(self, caller, demand_id, limit=CANDIDATES_SHOWN):
        caller = Caller.from_dict(caller)
        if not demand_id:
            raise BadInput("demand_required", "请指定需求", "A demand_id is required")
        limit = max(1, min(int(limit or CANDIDATES_SHOWN), 100))
        now = utcnow()
        demand_id = str(demand_id)
        with self.db() as uow:
            views = self.volunteer_index.current(uow, now)
            demand = views.demands.get(demand_id)  # open, with a place
            if demand is None:  # not open (404), or open without a place (no candidates)
                row, demand = vrepo.demand_to_match(uow, demand_id)
                if row is None:
                    raise NotFound("open_demand_not_found", "没有这个待匹配的需求",
                                   "No open demand with this id", {"demand_id": demand_id})
                region_code = row.region_code
            else:
                region_code = demand.region_code
            _require_operator_in_scope(caller, region_code)
            if demand is None:
                items = []
            else:
                demand = self._with_requirements(uow, [demand])[0]
                items = self.volunteer_index.volunteers.candidates(demand, limit, now)
            if items and not self.volunteer_index.first_candidate_noted(demand_id):
                dispatch_repo.note_first(uow, demand_id, "first_candidate_at", now)
                uow.commit()
                self.volunteer_index.remember_first_candidate(demand_id)
        return schemas.CandidatesOut().dump({
            "demand_id": demand_id, "weights": WEIGHTS,
            "items": [vars(c) for c in items]})

    # --- dispatch ---------------------------------------------------------------------------
    @rpc
    def set_dispatch_setting(self, caller, region_code, data):
        caller = Caller.from_dict(caller)
        caller.require(*ADMIN_ROLES)
        region_code = load(schemas.DispatchSchema(), {"region_code": region_code})["region_code"]
        caller.require_scope(region_code)
        auto_apply = load(schemas.RegionSettingSchema(), data or {})["auto_apply"]
        with self.db() as uow:
            dispatch_repo.set_auto_apply(uow, region_code, auto_apply, caller.person_id, utcnow())
            uow.commit()
        return {"region_code": region_code, "auto_apply": auto_apply}

    @rpc
    def dispatch(self, caller, data):
        caller = Caller.from_dict(caller)
        data = load(schemas.DispatchSchema(), data or {})
        region_code = data["region_code"]
        _require_operator_in_scope(caller, region_code)
        now = utcnow()
        with self.db() as uow:
            auto = data["auto_apply"]
            if auto is None:
                auto = dispatch_repo.auto_apply_for(uow, region_code)
            demands = self._with_requirements(
                uow, vrepo.demands_to_dispatch(uow, region_code, now))
            index = self.volunteer_index.current(uow, now).volunteers
        planned = plan_dispatch(demands, index, now)  # never yields: one state of the index
        run_id = str(uuid.uuid4())
        rows = [{"proposal_id": str(uuid.uuid4()), "run_id": run_id,
                 "region_code": region_code, "demand_id": p.demand_id,
                 "volunteer_id": p.volunteer_id, "distance_km": p.distance_km,
                 "status": "held", "created_at": now} for p in planned]
        with self.db() as uow:  # recorded first: a crash while applying leaves them held
            dispatch_repo.save_run(uow, {
                "run_id": run_id, "region_code": region_code, "requested_by": caller.person_id
                or caller.client_id or "?", "started_at": now, "auto_apply": auto,
                "demands": len(demands), "slots": sum(d.open_slots for d in demands),
                "proposed": len(rows)}, rows)
            for r in rows:
                dispatch_repo.note_first(uow, r["demand_id"], "first_candidate_at", now)
            uow.commit()
        if auto:
            for r in rows:
                r.update(self._apply(caller, r))
        counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("applied", "held",
                                                                          "failed")}
        return schemas.DispatchOut().dump({
            "run_id": run_id, "region_code": region_code, "auto_apply": auto,
            "demands": len(demands), "slots": sum(d.open_slots for d in demands),
            "proposed": len(rows), **counts, "proposals": rows})

    def _requirements(self, uow, codes: set[str]) -> dict[str, frozenset[str]]:
        """The qualification kinds each category needs (demand's catalogue, cached in
        ``category_requirements``; asked again when a category is not known); a category the
        catalogue does not list needs none."""
        known = vrepo.category_requirements_of(uow, codes)
        if codes - known.keys():
            catalogue = remote.ask(self.config, self.demand, "demand", "catalog")
            vrepo.save_catalogue(uow, catalogue)
            uow.commit()
            known = vrepo.category_requirements_of(uow, codes)
        return {code: frozenset(known.get(code, ())) for code in codes}

    def _with_requirements(self, uow, demands: list) -> list:
        """The demands with the qualification kinds their category needs as well."""
        needs = self._requirements(uow, {d.category for d in demands if d.category})
        return [replace(d, qualifications=d.qualifications | needs.get(d.category, frozenset()))
                for d in demands]

    def _apply(self, caller: Caller, proposal: dict) -> dict:
        """Ask demand to assign; the proposal becomes applied, or failed with demand's reason."""
        now = utcnow()
        try:
            remote.ask(self.config, self.demand, "demand", "assign", caller.to_dict(),
                       proposal["demand_id"], proposal["volunteer_id"])
            outcome = {"status": "applied", "error": None}
        except Unavailable:
            raise
        except DomainError as exc:
            outcome = {"status": "failed", "error": exc.code}
        with self.db() as uow:
            dispatch_repo.set_proposal_status(uow, proposal["proposal_id"], outcome["status"],
                                              caller.person_id, now, outcome["error"])
            uow.commit()
        return {**outcome, "decided_by": caller.person_id, "decided_at": now}

    @rpc
    def proposals(self, caller, status="held"):
        caller = Caller.from_dict(caller)
        caller.require(*STAFF_ROLES)
        if not caller.scope:
            raise Forbidden("out_of_scope", "您没有管辖范围", "You have no region scope")
        if status not in (None, "held", "applied", "rejected", "failed"):
            raise BadInput("bad_status", "状态无效", "Unknown proposal status", {"status": status})
        with self.db() as uow:
            rows = dispatch_repo.list_proposals(uow, caller.scope, status)
        out = schemas.ProposalOut()
        return {"items": [out.dump(r._asdict()) for r in rows]}

    @rpc
    def decide_proposal(self, caller, proposal_id, data):
        caller = Caller.from_dict(caller)
        decision = load(schemas.DecisionSchema(), data or {})["decision"]
        with self.db() as uow:
            row = dispatch_repo.get_proposal(uow, str(proposal_id), lock=True)
            if row is None:
                raise NotFound("proposal_not_found", "没有这个派单建议", "No such proposal")
            _require_operator_in_scope(caller, row.region_code)
            if row.status != "held":
                raise Conflict("proposal_decided", "该派单建议已处理", "This proposal was already "
                               "decided", {"status": row.status})
            if decision == "reject":
                dispatch_repo.set_proposal_status(uow, row.proposal_id, "rejected",
                                                  caller.person_id, utcnow())
            uow.commit()
            proposal = row._asdict()
        if decision == "approve":
            proposal.update(self._apply(caller, proposal))
        else:
            proposal.update({"status": "rejected", "decided_by": caller.person_id})
        return schemas.ProposalOut().dump(proposal)

    # --- rebuild ---------------------------------------------------------------------------
    @rpc
    def rebuild_read_models(self):
        """Internal (operations): drop the read models and reload them from identity and
        demand; ``{volunteers, open_demands, assignments, priority_elders, service_records}``."""
        def ask(proxy, service, method):  # a page may be large: REBUILD_TIMEOUT_FACTOR timeouts
            return lambda *args: remote.ask(self.config, proxy, service, method, *args,
                                            timeout_factor=REBUILD_TIMEOUT_FACTOR)

        people = rebuild.fetch_pages(ask(self.identity, "identity", "matching_volunteers"))
        priority = [e["person_id"] for e in
                    ask(self.identity, "identity", "priority_elders")(rebuild.PROVINCE)]
        demands = rebuild.fetch_pages(ask(self.demand, "demand", "matching_demands"))
        records_of = ask(self.demand, "demand", "service_records")
        records = rebuild.fetch_pages(lambda after, limit: records_of(
            None, None, None, None, after, limit))
        catalogue = ask(self.demand, "demand", "catalog")()
        with self.db() as uow:
            vrepo.save_catalogue(uow, catalogue)
            counts = rebuild.replace_read_models(uow, people, demands, records, priority,
                                                 utcnow())
            uow.commit()
        return counts

    @scheduled("CHANGE_LOG_PRUNE_SECONDS", 3600)
    def prune_change_log(self):
        """Drop change-log rows older than a day (every process caught up long since)."""
        with self.db() as uow:
            change_log.prune(uow, CHANGE_LOG_KEPT)
            uow.commit()

    # --- statistics ---------------------------------------------------------------------------
    @rpc
    def matching_stats(self, caller, region_code=None, period_from=None, period_to=None):
        caller = Caller.from_dict(caller)
        caller.require(*ADMIN_ROLES, "auditor", "api_client")
        query = load(schemas.StatsQuery(), {"region_code": region_code or caller.scope,
                                           "period_from": period_from, "period_to": period_to})
        caller.require_scope(query["region_code"])
        since, until = day_bounds(query["period_from"], query["period_to"])
        with self.db() as uow:
            figures = dispatch_repo.stats(uow, query["region_code"], since, until)
        return {"region_code": query["region_code"], **figures}


def _feed_item(demand, distance_km: float) -> dict:
    return {"demand_id": demand.demand_id, "window_start": demand.window_start,
            "window_end": demand.window_end, "open_slots": demand.open_slots,
            "priority_elder": demand.priority_elder, "distance_km": distance_km,
            "category": demand.category, "region_code": demand.region_code,
            "expected_minutes": demand.expected_minutes}


def _volunteer_id(value) -> str:
    if not value:
        raise BadInput("volunteer_required", "请指定志愿者", "A volunteer_id is required")
    return str(value)


def vrepo_outcome(uow, payload: dict, envelope: dict) -> None:
    dispatch_repo.note_published(uow, payload["demand_id"], payload["region_code"],
                                 envelope["occurred_at"])
