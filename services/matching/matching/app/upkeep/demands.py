"""Open demands, slots, assignments, history and ratings, from demand's events."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.db import UnitOfWork

from ...adapters import open_demands, outcomes, service_history
from ...domain.city_feed import city_unit
from ...domain.scoring import GOOD_RATING
from ...domain.slots import slots_on_publish


def demand_published(uow: UnitOfWork, payload: dict[str, Any], occurred_at: dt.datetime
                     ) -> None:
    """A published demand is open with every slot still free, unless a later slot count was
    heard first (the assignment's queue was handled first)."""
    open_demands.lock_demand(uow, payload["demand_id"])
    slots = slots_on_publish(payload["volunteers_needed"],
                             open_demands.known_open_slots(uow, payload["demand_id"]))
    if slots <= 0:
        return  # already filled or cancelled by the time we heard of it
    location = payload["location"] or {}
    outcomes.note_published(uow, payload["demand_id"], payload["region_code"], occurred_at)
    open_demands.add_open_demand(uow, {
        "demand_id": payload["demand_id"], "region_code": payload["region_code"],
        "city_unit": city_unit(payload["region_code"]), "category": payload["category"],
        "elder_id": payload["elder_id"], "window_start": payload["window_start"],
        "window_end": payload["window_end"], "expected_minutes": payload["expected_minutes"],
        "open_slots": slots, "location_lat": location.get("lat"),
        "location_lng": location.get("lng"), "published_at": occurred_at,
        "qualifications": [],  # the category's, from the catalogue, when candidates are asked
    })


def demand_assigned(uow: UnitOfWork, payload: dict[str, Any], occurred_at: dt.datetime
                    ) -> None:
    _slots_changed(uow, payload["demand_id"], payload["open_slots"], occurred_at)
    if payload["volunteer_id"] and payload["window_start"] and payload["window_end"]:
        service_history.add_assignment(uow, payload["demand_id"], payload["volunteer_id"],
                                       payload["window_start"], payload["window_end"])
    outcomes.note_first(uow, payload["demand_id"], "first_assigned_at", occurred_at)


def demand_cancelled(uow: UnitOfWork, payload: dict[str, Any], occurred_at: dt.datetime
                     ) -> None:
    _slots_changed(uow, payload["demand_id"], 0, occurred_at)
    service_history.end_assignment(uow, payload["demand_id"])


def demand_started(uow: UnitOfWork, payload: dict[str, Any], occurred_at: dt.datetime
                   ) -> None:
    """The first volunteer checked in (before the window too): the demand is under way and
    takes no more volunteers, so it leaves feeds, candidates and dispatch."""
    _slots_changed(uow, payload["demand_id"], payload["open_slots"], occurred_at)


def assignment_ended(uow: UnitOfWork, payload: dict[str, Any], occurred_at: dt.datetime,
                     no_show: bool) -> None:
    """``assignment_withdrawn`` or ``assignment_no_show`` (which counts against the
    volunteer); a slot count it carries applies (a no-show carries none)."""
    service_history.end_assignment(uow, payload["demand_id"], payload["volunteer_id"])
    if no_show:
        service_history.add_history(uow, payload["volunteer_id"], no_shows=1)
    if payload.get("open_slots") is not None:
        _slots_changed(uow, payload["demand_id"], payload["open_slots"], occurred_at)


def service_recorded(uow: UnitOfWork, payload: dict[str, Any], occurred_at: dt.datetime
                     ) -> None:
    service_history.end_assignment(uow, payload["demand_id"], payload["volunteer_id"])
    service_history.add_history(uow, payload["volunteer_id"], completed=1)
    service_history.add_minutes(uow, payload["volunteer_id"],
                                payload["recorded_at"] or occurred_at, payload["minutes"])


def evaluation_submitted(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    service_history.add_history(uow, payload["volunteer_id"],
                                rating_sum=float(payload["score"]), rating_count=1)
    if payload["score"] >= GOOD_RATING:
        service_history.note_good_rating(uow, payload["elder_id"], payload["volunteer_id"])


def _slots_changed(uow: UnitOfWork, demand_id: str, open_slots: int,
                   occurred_at: dt.datetime) -> None:
    """Apply a slot count unless a later one was heard (by event time)."""
    open_demands.lock_demand(uow, demand_id)
    if open_demands.note_open_slots(uow, demand_id, open_slots, occurred_at):
        open_demands.set_open_slots(uow, demand_id, open_slots)
