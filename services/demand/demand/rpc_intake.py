"""Intake RPCs of the demand service (a base of ``DemandService``): submission on every
channel, adjustment and review, review escalations and the demand statistics; with the
catalogue (``rpc_catalogue``) and recurring series (``rpc_series``) as its own bases.
nameko finds these entrypoints through inheritance."""
from __future__ import annotations

import datetime as dt

from timebank_common.caller import Caller
from timebank_common.db import utcnow
from timebank_common.errors import NotFound
from timebank_common.regions import prefix_of
from timebank_common.schemas import load
from timebank_common.service import rpc, scheduled

from . import intake, schemas
from . import intake_repository as irepo
from . import intake_schemas as ischemas
from . import repository as repo
from . import statistics as demand_statistics
from .domain import access, adjustment, catalogue, elders, escalation, rules
from .lookup import demand_id as _demand_id
from .rpc_catalogue import CatalogueRpcs
from .rpc_series import SeriesRpcs


class IntakeRpcs(CatalogueRpcs, SeriesRpcs):

    # --- helpers -----------------------------------------------------------------------
    def _elder_for(self, caller: Caller, channel: str, elder_id: str) -> dict:
        """The elder (identity's ``get_elder``) after checking the caller may submit for them
        on this channel: in the app a proxy relative acts for the elder (``may_act_for``)."""
        acts_for = False
        if channel == "app" and caller.person_id and caller.person_id != elder_id:
            acts_for = bool(self._ask_identity("may_act_for", caller.person_id, elder_id))
        access.authorize_submit(caller, channel, elder_id, acts_for)
        # a proxy may not read the elder's record itself: read it as the elder would
        reader = {"person_id": elder_id, "roles": ["elder"]} if acts_for else caller.to_dict()
        elder = self._ask_identity("get_elder", reader, elder_id)
        access.authorize_for_elder(caller, elder_id, elder["region_code"], acts_for)
        elders.require_elder(elder)
        return elder

    # --- submit ------------------------------------------------------------------------
    @rpc
    def submit(self, caller, data):
        """One demand from any channel: ``phone``/``station`` (an operator for an elder in
        scope), ``app`` (the elder, or their proxy relative), ``api`` (a municipal client)."""
        caller = Caller.from_dict(caller)
        data = load(ischemas.SubmitSchema(), data)
        rules.validate_new_demand(data["window_start"], data["window_end"],
                                  data["expected_minutes"], data["volunteers_needed"], utcnow())
        if data["category"] in catalogue.NOT_OFFERED:
            catalogue.require_offered(data["category"], {})
        elder = self._elder_for(caller, data["channel"], data["elder_id"])
        with self.db() as uow:
            demand = intake.admit_demand(
                uow, data, elder_id=data["elder_id"], region_code=elder["region_code"],
                carrier_id=elder.get("carrier_id") or caller.carrier_id,
                submitted_by=caller.person_id or caller.client_id, channel=data["channel"])
            uow.commit()
        return self._view(demand)

    # --- adjust and review ---------------------------------------------------------------
    def _adjust(self, uow, caller: Caller, demand, data: dict, now: dt.datetime) -> dict | None:
        """Apply an operator's adjustment to a locked demand; the ``demand_adjusted`` payload,
        or None when nothing was asked."""
        if not data:
            return None
        adjustment.require_adjustable(demand)
        reason = adjustment.require_reason(data.get("reason"))
        proposed = {k: v for k, v in data.items() if k != "reason"}
        changes = adjustment.changes_between(demand, proposed)
        adjustment.require_some_change(changes)
        adjusted = {name: proposed.get(name, getattr(demand, name))
                    for name in adjustment.ADJUSTABLE}
        # the adjusted demand must be servable as a new one: a window that has passed must move
        rules.validate_new_demand(adjusted["window_start"], adjusted["window_end"],
                                  adjusted["expected_minutes"], adjusted["volunteers_needed"], now)
        category = catalogue.require_offered(adjusted["category"], repo.load_catalogue(uow))
        catalogue.check_group(category, adjusted["volunteers_needed"])
        repo.lock_key(uow, "elder", demand.elder_id)
        rules.refuse_duplicate(
            adjusted["window_start"], adjusted["window_end"],
            [row for row in repo.live_same_category(uow, demand.elder_id, category.code)
             if str(row[0]) != demand.id])
        adjustment.apply(demand, proposed)
        irepo.save_content(uow, demand)
        by = caller.person_id or caller.client_id
        irepo.insert_changes(uow, demand.id, changes, reason, by, now)
        return {"demand_id": demand.id, "elder_id": demand.elder_id,
                "region_code": demand.region_code, "reason": reason, "changed_by": by,
                "changed_at": now, "changes": [{**c, "reason": reason, "changed_by": by,
                                                "changed_at": now} for c in changes]}

    def _locked_in_scope(self, uow, caller: Caller, demand_id: str):
        demand = repo.get_demand(uow, demand_id, lock=True)
        if demand is None:
            raise NotFound("demand_not_found", "需求不存在", "No such demand",
                           {"demand_id": demand_id})
        caller.require_scope(demand.region_code)
        return demand

    @rpc
    def adjust(self, caller, demand_id, data):
        """Change a demand's content before review, with a mandatory reason; every changed
        field is kept in the demand's history and announced as ``demand_adjusted``."""
        caller = Caller.from_dict(caller)
        caller.require(*access.OPERATOR_ROLES)
        data = load(ischemas.AdjustSchema(), data)
        demand_id = _demand_id(demand_id)
        now = utcnow()
        with self.db() as uow:
            demand = self._locked_in_scope(uow, caller, demand_id)
            event = self._adjust(uow, caller, demand, data, now)
            uow.emit("demand_adjusted", ischemas.DemandAdjustedEvent().dump(event),
                     demand.region_code)
            uow.commit()
            return self._with_history(uow, demand)

    @rpc
    def review(self, caller, demand_id, data):
        """Approve (with the funding source) or reject (with a reason); ``adjust`` changes the
        content first, in the same transaction. Closes the demand's escalation, if any."""
        caller = Caller.from_dict(caller)
        caller.require(*access.OPERATOR_ROLES)
        data = load(ischemas.IntakeReviewSchema(), data)
        demand_id = _demand_id(demand_id)
        now = utcnow()
        with self.db() as uow:
            demand = self._locked_in_scope(uow, caller, demand_id)
            adjusted = self._adjust(uow, caller, demand, data["adjust"], now)
            demand.review(data["decision"], caller.person_id, now,
                          funding_source=data["funding_source"], reason=data["reason"])
            repo.save_demand(uow, demand)
            irepo.close_escalation(uow, demand.id, "reviewed", now)
            if adjusted is not None:
                uow.emit("demand_adjusted", ischemas.DemandAdjustedEvent().dump(adjusted),
                         demand.region_code)
            if data["decision"] == "approve":
                uow.emit("demand_published", schemas.DemandPublishedEvent().dump(demand),
                         demand.region_code)
            else:
                uow.emit("demand_rejected", schemas.DemandRejectedEvent().dump(demand),
                         demand.region_code)
            uow.commit()
            return self._with_history(uow, demand)

    def _with_history(self, uow, demand) -> dict:
        return {**self._view(demand), **self.demand_history(uow, demand.id)}

    def demand_history(self, uow, demand_id: str) -> dict:
        """``{changes, escalation}`` of a demand, shown with it (``get``, ``review``, ``adjust``)."""
        raised = irepo.escalation_of(uow, demand_id)
        return {"changes": ischemas.DemandChangeOut(many=True).dump(irepo.changes_of(uow, demand_id)),
                "escalation": ischemas.EscalationOut().dump(raised) if raised else None}

    # --- escalations ---------------------------------------------------------------------
    @scheduled("REVIEW_ESCALATION_CHECK_SECONDS", 300)
    def escalate_unreviewed(self):
        """Every process runs this; a demand is escalated once (primary key)."""
        intake.escalate_overdue(self.db, utcnow(),
                                self._setting("REVIEW_ESCALATION_SECONDS",
                                              escalation.DEFAULT_REVIEW_SECONDS))

    @rpc
    def escalations(self, caller, filters=None):
        """Open escalations (``include_closed`` for all) of demands in the caller's scope or a
        region below it: township staff and above, and auditors."""
        caller = Caller.from_dict(caller)
        caller.require(*escalation.READERS)
        query = load(ischemas.EscalationQuery(), filters)
        region = query["region_code"] or caller.scope
        caller.require_scope(region)
        with self.db() as uow:
            rows = irepo.escalations_in(uow, prefix_of(region), query["include_closed"],
                                        query["limit"])
        return {"items": ischemas.EscalationOut(many=True).dump(rows)}

    # --- statistics ------------------------------------------------------------------------
    @rpc
    def demand_stats(self, caller, region_code=None, period_from=None, period_to=None):
        """Demands submitted in the period (China dates) in a region: by status, category and
        channel; time to publication and to first assignment; completion rate."""
        caller = Caller.from_dict(caller)
        query = load(ischemas.StatsIn(), {"region_code": region_code,
                                          "period_from": period_from, "period_to": period_to})
        with self.db() as uow:
            return demand_statistics.demand_stats(uow, caller, query["region_code"],
                                                  query["period_from"], query["period_to"])

