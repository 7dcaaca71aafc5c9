"""Claiming, assignment, withdrawal, check-in/out, no-shows and reliability: the RPCs and
timers of ``DemandService`` about who serves a demand (a mixin of ``service.py``).

A claim locks the demand's row (``FOR UPDATE``) and the volunteer (advisory lock) before it
counts the open slots and the volunteer's other windows, so a demand for N volunteers never
gets N+1 and a volunteer never holds two overlapping services, whatever the concurrency.
Identity is asked (with a timeout) before the transaction opens. Paying for the service
(the reservation saga) is ``payments.py``.
"""
from __future__ import annotations

import datetime as dt
import logging

from timebank_common.caller import Caller
from timebank_common.db import utcnow
from timebank_common.errors import BadInput
from timebank_common.events import event_handler, once
from timebank_common.schemas import load
from timebank_common.service import rpc, scheduled

from . import assignment_repository as arepo
from . import assignment_schemas, evaluation_status, intake_metrics, schemas
from . import intake_repository as irepo
from . import payments as saga
from . import repository as repo
from .domain import access, eligibility, payments, rules
from .domain.lifecycle import CANCELLED, Demand
from .lookup import demand_id as _demand_id
from .lookup import location as _location
from .lookup import require_found as _require_found
from .rpc_base import DemandRpcBase

log = logging.getLogger("timebank.demand")
NO_SHOW_BATCH = 100  # demands looked at per transaction by the no-show sweep
EXPIRY_BATCH = 100  # demands expired per transaction by the expiry sweep
_WITHDRAWN, _NO_SHOW = (assignment_schemas.AssignmentWithdrawnEvent(),
                        assignment_schemas.AssignmentNoShowEvent())
_STARTED = assignment_schemas.DemandStartedEvent()
_RELIABILITY = assignment_schemas.ReliabilityOut()


def reliability_view(counts: dict) -> dict:
    """Counts plus ``reliability`` = completed / (completed + withdrawn + no-shows)."""
    ended = counts["completed"] + counts["withdrawn"] + counts["no_shows"]
    return _RELIABILITY.dump({**counts,
                              "reliability": round(counts["completed"] / ended, 4) if ended
                              else None})


class AssignmentRpcs(DemandRpcBase):

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
        check = self._ask_identity("check_volunteer", volunteer_id)
        now = utcnow()
        with self.db() as uow:
            demand = _require_found(repo.get_demand(uow, demand_id, lock=True), demand_id)
            if operator:
                caller.require_scope(demand.region_code)
            held = demand.assignment_of(volunteer_id)
            if held is not None and held.live:
                return self._view(demand)  # a repeat (e.g. a redelivered RPC): no change
            demand.require_claimable()
            category = repo.load_catalogue(uow).get(demand.category)
            eligibility.require_eligible(check, category, demand.elder_id)
            repo.lock_key(uow, "volunteer", volunteer_id)
            rules.refuse_overlap(demand.window_start, demand.window_end,
                                 repo.active_windows_of(uow, volunteer_id, demand.id))
            assignment = demand.assign(volunteer_id, check.get("region_code"),
                                       caller.person_id, now)
            repo.save_demand(uow, demand)
            saga.on_assigned(uow, demand, assignment,
                             self._setting("RESERVATION_MARGIN_SECONDS",
                                           payments.DEFAULT_MARGIN_SECONDS))
            uow.emit("demand_assigned", schemas.DemandAssignedEvent().dump({
                "demand_id": demand.id, "volunteer_id": volunteer_id,
                "elder_id": demand.elder_id, "window_start": demand.window_start,
                "window_end": demand.window_end, "open_slots": demand.open_slots,
            }), demand.region_code)
            uow.commit()
        return self._view(demand)

    # --- withdrawal ------------------------------------------------------------------
    @rpc
    def withdraw(self, caller, demand_id, data):
        """The volunteer gives the slot back before the start (reason required)."""
        caller = Caller.from_dict(caller)
        caller.require("volunteer")
        data = load(assignment_schemas.WithdrawSchema(), data)
        demand_id = _demand_id(demand_id)
        with self.db() as uow:
            demand = _require_found(repo.get_demand(uow, demand_id, lock=True), demand_id)
            assignment = demand.withdraw(caller.person_id, data["reason"], utcnow())
            repo.save_demand(uow, demand)
            evaluation_status.follow_evaluations(uow, demand)  # the others may be done
            saga.on_released(uow, demand, assignment, payments.RELEASE_WITHDRAWN)
            uow.emit("assignment_withdrawn", _WITHDRAWN.dump({
                "demand_id": demand.id, "volunteer_id": assignment.volunteer_id,
                "reason": assignment.end_reason, "open_slots": demand.open_slots,
                "region_code": demand.region_code}), demand.region_code)
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
            was_under_way, open_before = demand.under_way, demand.open_slots
            if step(caller.person_id, data["at"] or now, now, _location(data)):
                repo.save_demand(uow, demand)
                if demand.under_way and not was_under_way:
                    self._announce_start(uow, demand, caller.person_id, open_before)
                uow.commit()
        return self._view(demand)

    @staticmethod
    def _announce_start(uow, demand: Demand, volunteer_id: str, open_before: int) -> None:
        """The first check-in put the service under way: the demand takes no more
        volunteers, whatever slots were still open (a group demand, a check-in before the
        window). ``demand_started`` tells matching, which otherwise offered the demand in
        feeds until its start and claims got 409."""
        uow.emit("demand_started", _STARTED.dump({
            "demand_id": demand.id, "volunteer_id": volunteer_id,
            "started_at": demand.assignment_of(volunteer_id).checked_in_at,
            "window_start": demand.window_start, "open_slots": demand.open_slots,
            "slots_closed": open_before, "region_code": demand.region_code}),
            demand.region_code)

    # --- no-shows --------------------------------------------------------------------
    @scheduled("NO_SHOW_SWEEP_SECONDS", 60)
    def sweep_no_shows(self):
        """Every demand process runs it: the demand rows are taken FOR UPDATE SKIP LOCKED and
        re-checked under the lock, so each no-show is marked (and announced) once."""
        while self.mark_no_shows() >= NO_SHOW_BATCH:
            pass

    @rpc
    def mark_no_shows(self):
        """Internal (also on a timer): mark the assignments nobody checked in for by the
        window start plus ``NO_SHOW_GRACE_SECONDS`` (default 1800). Returns how many demands
        were looked at."""
        now = utcnow()
        grace = dt.timedelta(seconds=self._setting("NO_SHOW_GRACE_SECONDS", 1800))
        with self.db() as uow:
            ids = arepo.no_show_candidates(uow, now - grace, NO_SHOW_BATCH)
            for demand_id in ids:
                demand = repo.get_demand(uow, demand_id, lock=True)
                for assignment in demand.no_show_due(now, grace):
                    self._no_show(uow, demand, assignment.volunteer_id, now, grace)
            uow.commit()
        return len(ids)

    def _no_show(self, uow, demand: Demand, volunteer_id: str, now, grace) -> None:
        assignment = demand.mark_no_show(volunteer_id, now, grace)
        repo.save_demand(uow, demand)
        evaluation_status.follow_evaluations(uow, demand)  # the others may be done
        saga.on_released(uow, demand, assignment, payments.RELEASE_NO_SHOW)
        uow.emit("assignment_no_show", _NO_SHOW.dump({
            "demand_id": demand.id, "volunteer_id": volunteer_id,
            "elder_id": demand.elder_id, "window_start": demand.window_start,
            "region_code": demand.region_code,
            "demand_cancelled": demand.status == CANCELLED}), demand.region_code)
        if demand.status == CANCELLED:
            saga.on_cancelled(uow, demand)
            uow.emit("demand_cancelled", schemas.DemandCancelledEvent().dump(demand),
                     demand.region_code)
        log.info("no-show: volunteer %s on demand %s", volunteer_id, demand.id)

    # --- expiry: demands nobody served in their window -------------------------------------
    @scheduled("EXPIRY_SWEEP_SECONDS", 60)
    def sweep_expired(self):
        """Every demand process runs it: the demand rows are taken FOR UPDATE SKIP LOCKED and
        re-checked under the lock, so each demand is expired (and announced) once."""
        while self.expire_unserved() >= EXPIRY_BATCH:
            pass

    @rpc
    def expire_unserved(self):
        """Internal (also on a timer, every ``EXPIRY_SWEEP_SECONDS``): cancel, with reason
        ``expired``, each demand still ``submitted`` or ``published`` whose window has ended
        with nobody serving it (``Demand.expiry_due``), and announce it as
        ``demand_cancelled`` (matching drops it; notify tells the elder — a phone-only elder
        through a call task for the station). Returns how many demands were looked at."""
        now = utcnow()
        expired = 0
        with self.db() as uow:
            ids = arepo.expiry_candidates(uow, now, EXPIRY_BATCH)
            for demand_id in ids:
                demand = repo.get_demand(uow, demand_id, lock=True)
                if not demand.expiry_due(now):  # changed since it was chosen
                    continue
                demand.expire(now)
                repo.save_demand(uow, demand)
                irepo.close_escalation(uow, demand.id, "expired", now)
                saga.on_cancelled(uow, demand)  # nothing left to release, normally
                uow.emit("demand_cancelled", schemas.DemandCancelledEvent().dump(demand),
                         demand.region_code)
                expired += 1
                log.info("expired: demand %s (window ended %s, nobody serving)", demand.id,
                         demand.window_end.isoformat())
            uow.commit()
        intake_metrics.EXPIRED.inc(expired)
        return len(ids)

    # --- reliability -----------------------------------------------------------------
    @rpc
    def reliability(self, volunteer_ids):
        """Internal (matching) and for operators: per volunteer ``{volunteer_id, assigned,
        completed, withdrawn, no_shows, reliability}``, in the order asked."""
        ids = [str(v) for v in (volunteer_ids or [])][:500]
        with self.db() as uow:
            counts = arepo.reliability_of(uow, ids)
        return [reliability_view(counts[v]) for v in ids]

    def _with_reliability(self, caller: Caller, view: dict) -> dict:
        """Operators see each assigned volunteer's reliability on the demand's view."""
        if not caller.has(*access.OPERATOR_ROLES) or not view.get("assignments"):
            return view
        with self.db() as uow:
            counts = arepo.reliability_of(uow, [a["volunteer_id"] for a in view["assignments"]])
        for item in view["assignments"]:
            item["reliability"] = reliability_view(counts[item["volunteer_id"]])
        return view

    # --- the ledger's replies ------------------------------------------------------------
    @event_handler("ledger", "reservation_made")
    @once("demand.reservation_made")
    def on_reservation_made(self, uow, event):
        saga.on_reply(uow, load(assignment_schemas.ReservationReplyIn(), event["payload"]),
                      payments.RESERVED)

    @event_handler("ledger", "reservation_refused")
    @once("demand.reservation_refused")
    def on_reservation_refused(self, uow, event):
        saga.on_reply(uow, load(assignment_schemas.ReservationReplyIn(), event["payload"]),
                      payments.REFUSED)
