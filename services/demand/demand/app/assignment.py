"""Who serves a demand: claiming and assignment, withdrawal, check-in and check-out, and the
volunteers' reliability.

A claim locks the demand's row (``FOR UPDATE``) and the volunteer (advisory lock) before it
counts the open slots and the volunteer's other windows, so a demand for N volunteers never
gets N+1 and a volunteer never holds two overlapping services, whatever the concurrency.
Identity is asked (with a timeout) before the transaction opens. Paying for the service
(the reservation saga) is ``payments.py``.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, cast

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import BadInput

from ..adapters import assignment_repository as arepo
from ..adapters import catalogue_repository as catalogue_rows
from ..adapters import demand_repository as repo
from ..adapters.identity import IdentityClient
from ..contracts import (
    ASSIGNMENT_WITHDRAWN,
    DEMAND_ASSIGNED,
    DEMAND_STARTED,
)
from ..domain import catalogue, eligibility, payments, rules
from ..domain.lifecycle import Demand
from . import completion
from . import payments as saga
from .lookup import demand_id as checked_demand_id
from .lookup import demand_not_found, location, require_found, require_reach
from .views import demand_view, reliability_view


def claim(db: UnitOfWorkFactory, caller: Caller, demand_id: Any, now: dt.datetime,
          identity: IdentityClient, margin_seconds: float) -> dict[str, Any]:
    """A volunteer takes a slot (eligible, qualified for a professional category)."""
    caller.require("volunteer")
    return give_slot(db, caller, checked_demand_id(demand_id), cast(str, caller.person_id),
                     operator=False, now=now, identity=identity, margin_seconds=margin_seconds)


def assign(db: UnitOfWorkFactory, caller: Caller, demand_id: Any, volunteer_id: Any,
           now: dt.datetime, identity: IdentityClient, margin_seconds: float
           ) -> dict[str, Any]:
    """An operator in scope gives a volunteer a slot."""
    caller.require(*STATION_STAFF)
    if not volunteer_id:
        raise BadInput("volunteer_required", "请指定志愿者", "A volunteer_id is required")
    return give_slot(db, caller, checked_demand_id(demand_id), str(volunteer_id),
                     operator=True, now=now, identity=identity, margin_seconds=margin_seconds)


def give_slot(db: UnitOfWorkFactory, caller: Caller, demand_id: str, volunteer_id: str, *,
              operator: bool, now: dt.datetime, identity: IdentityClient,
              margin_seconds: float) -> dict[str, Any]:
    check = identity.check_volunteer(volunteer_id)
    with db() as uow:
        demand = require_found(repo.get_demand(uow, demand_id, lock=True), demand_id)
        if operator:
            require_reach(caller, demand.region_code, demand_not_found(demand_id))
        held = demand.assignment_of(volunteer_id)
        if held is not None and held.live:
            return demand_view(demand)  # a repeat (e.g. a redelivered RPC): no change
        demand.require_claimable()
        # a category withdrawn since the demand was published still sets its rules
        found = catalogue_rows.category_of(uow, demand.category)
        category = catalogue.require_offered(
            demand.category, {demand.category: found} if found is not None else {})
        eligibility.require_eligible(check, category, demand.elder_id)
        repo.lock_key(uow, "volunteer", volunteer_id)
        rules.refuse_overlap(demand.window_start, demand.window_end,
                             repo.active_windows_of(uow, volunteer_id, demand.id))
        assignment = demand.assign(volunteer_id, check.get("region_code"),
                                   caller.person_id, now)
        repo.save_demand(uow, demand)
        assert assignment is not None  # not a repeat: checked above
        saga.on_assigned(uow, demand, assignment, margin_seconds)
        uow.emit(DEMAND_ASSIGNED, {
            "demand_id": demand.id, "volunteer_id": volunteer_id,
            "elder_id": demand.elder_id, "window_start": demand.window_start,
            "window_end": demand.window_end, "open_slots": demand.open_slots,
        }, demand.region_code)
        uow.commit()
    return demand_view(demand)


def withdraw(db: UnitOfWorkFactory, caller: Caller, demand_id: Any, data: dict[str, Any],
             now: dt.datetime) -> dict[str, Any]:
    """The volunteer gives the slot back before the start (reason required)."""
    caller.require("volunteer")
    demand_id = checked_demand_id(demand_id)
    with db() as uow:
        demand = _held_demand(uow, caller, demand_id)
        assignment = demand.withdraw(cast(str, caller.person_id), data["reason"], now)
        repo.save_demand(uow, demand)
        completion.follow_evaluations(uow, demand)  # the others may be done
        saga.on_released(uow, demand, assignment, payments.RELEASE_WITHDRAWN)
        uow.emit(ASSIGNMENT_WITHDRAWN, {
            "demand_id": demand.id, "volunteer_id": assignment.volunteer_id,
            "reason": assignment.end_reason, "open_slots": demand.open_slots,
            "region_code": demand.region_code}, demand.region_code)
        uow.commit()
    return demand_view(demand)


def check_in(db: UnitOfWorkFactory, caller: Caller, demand_id: Any, data: dict[str, Any],
             now: dt.datetime) -> dict[str, Any]:
    return _presence(db, caller, demand_id, data, now, "check_in")


def check_out(db: UnitOfWorkFactory, caller: Caller, demand_id: Any, data: dict[str, Any],
              now: dt.datetime) -> dict[str, Any]:
    return _presence(db, caller, demand_id, data, now, "check_out")


def _presence(db: UnitOfWorkFactory, caller: Caller, demand_id: Any, data: dict[str, Any],
              now: dt.datetime, action: str) -> dict[str, Any]:
    """The assigned volunteer checks in or out at the server's time ``now``; the ``at`` the
    app sent is kept as the device's time (evidence: a skew is flagged at recording). A
    repeat changes nothing."""
    caller.require("volunteer")
    demand_id = checked_demand_id(demand_id)
    with db() as uow:
        demand = _held_demand(uow, caller, demand_id)
        step = demand.check_in if action == "check_in" else demand.check_out
        was_under_way, open_before = demand.under_way, demand.open_slots
        volunteer_id = cast(str, caller.person_id)
        if step(volunteer_id, now, device_at=data["at"], location=location(data)):
            repo.save_demand(uow, demand)
            if demand.under_way and not was_under_way:
                _announce_start(uow, demand, volunteer_id, open_before)
            uow.commit()
    return demand_view(demand)


def _held_demand(uow, caller: Caller, demand_id: str) -> Demand:
    """The locked demand the calling volunteer holds (or held) an assignment on; a demand they
    are not on answers as one that does not exist (another volunteer's service is not
    revealed)."""
    demand = require_found(repo.get_demand(uow, demand_id, lock=True), demand_id)
    if demand.assignment_of(cast(str, caller.person_id)) is None:
        raise demand_not_found(demand_id)
    return demand


def _announce_start(uow, demand: Demand, volunteer_id: str, open_before: int) -> None:
    """The first check-in put the service under way: the demand takes no more
    volunteers, whatever slots were still open (a group demand, a check-in before the
    window). ``demand_started`` tells matching, which otherwise offered the demand in
    feeds until its start and claims got 409."""
    started = demand.assignment_of(volunteer_id)
    uow.emit(DEMAND_STARTED, {
        "demand_id": demand.id, "volunteer_id": volunteer_id,
        "started_at": started.checked_in_at if started else None,
        "window_start": demand.window_start, "open_slots": demand.open_slots,
        "slots_closed": open_before, "region_code": demand.region_code,
        "category": demand.category, "submitted_at": demand.created_at},
        demand.region_code)


def reliability(db: UnitOfWorkFactory, volunteer_ids: Any) -> list[dict[str, Any]]:
    """Per volunteer ``{volunteer_id, assigned, completed, withdrawn, no_shows,
    reliability}``, in the order asked (at most 500)."""
    ids = [str(v) for v in (volunteer_ids or [])][:500]
    with db() as uow:
        counts = arepo.reliability_of(uow, ids)
    return [reliability_view(counts[v]) for v in ids]
