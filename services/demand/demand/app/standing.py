"""A person's standing and moves, from identity's events (each handled once: inbox).

* ``person_status_changed`` to ``left``, ``withdrew`` or ``deceased``:
  - an elder's demands not yet under way (submitted, published, assigned) are cancelled with
    the reason ``elder_<status>`` (by nobody: the platform), their reservations released and
    escalations closed, and ``demand_cancelled`` tells matching and notify; a service already
    under way is left for the station to finish and record;
  - a volunteer's assignments not yet started end as ``withdrawn`` with the reason
    ``volunteer_<status>``, whatever the time: the reservation is released and the slot
    reopens (the demand back to ``published``) while nobody on it has started. Services the
    volunteer has started are left for the station to record.
  Back to ``active``: nothing to undo (cancelled demands stay cancelled; the elder asks
  again).
* ``person_moved``: a demand belongs to the region where its service happens, so a moved
  elder's open demands stay with the station that took them (the elder asked there, for that
  address); each gets a line in its history (``changes``: ``elder_region_code`` before and
  after) so both stations see the move. The station may cancel one, and the elder asks the new
  station. A moved volunteer keeps their assignments (they chose them).

Several demands are locked in one transaction here, always in the order of their ids, so two
such transactions never wait for each other in a cycle; every other transaction locks one
demand at a time (the lock order in ``adapters/demand_repository.py``).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..adapters import demand_repository as repo
from ..adapters import escalation_repository as escalations
from ..contracts import ASSIGNMENT_WITHDRAWN, DEMAND_CANCELLED
from ..domain import payments as rules
from . import completion, payloads, payments

ENDED_STANDING = ("left", "withdrew", "deceased")
STANDING_REASON_ZH = {"left": "已离开本地", "withdrew": "已退出平台", "deceased": "已离世"}


def on_status_changed(uow, payload: dict[str, Any], now: dt.datetime) -> dict[str, list[str]]:
    """The demands cancelled and those a volunteer was taken off (ids)."""
    done: dict[str, list[str]] = {"cancelled": [], "released": []}
    status = payload["status"]
    if status not in ENDED_STANDING:
        return done
    person_id = payload["person_id"]
    if "elder" in payload["profiles"]:
        for demand_id in repo.open_demand_ids_of_elder(uow, person_id):
            demand = repo.get_demand(uow, demand_id, lock=True)
            if demand is None or demand.status not in ("submitted", "published", "assigned"):
                continue  # changed since it was listed
            demand.cancel(None, now, f"elder_{status}")
            repo.save_demand(uow, demand)
            escalations.close_escalation(uow, demand.id, "cancelled", now)
            payments.on_cancelled(uow, demand)
            uow.emit(DEMAND_CANCELLED, payloads.cancelled(demand), demand.region_code)
            done["cancelled"].append(demand.id)
    if "volunteer" in payload["profiles"]:
        for demand_id in repo.demand_ids_awaiting_volunteer(uow, person_id):
            demand = repo.get_demand(uow, demand_id, lock=True)
            if demand is None:
                continue
            assignment = demand.drop_volunteer(person_id, f"volunteer_{status}", now)
            if assignment is None:
                continue
            repo.save_demand(uow, demand)
            completion.follow_evaluations(uow, demand)
            payments.on_released(uow, demand, assignment, rules.RELEASE_WITHDRAWN)
            uow.emit(ASSIGNMENT_WITHDRAWN, {
                "demand_id": demand.id, "volunteer_id": person_id,
                "reason": assignment.end_reason, "open_slots": demand.open_slots,
                "region_code": demand.region_code}, demand.region_code)
            done["released"].append(demand.id)
    return done


def on_moved(uow, payload: dict[str, Any], now: dt.datetime) -> list[str]:
    """A line in the history of each open demand of a moved elder (ids)."""
    if "elder" not in payload["profiles"]:
        return []
    traced = []
    for demand_id in repo.open_demand_ids_of_elder(uow, payload["person_id"]):
        repo.insert_changes(uow, demand_id, [{
            "field": "elder_region_code", "before": payload["from_region_code"],
            "after": payload["to_region_code"]}],
            "老人已迁出，需求仍由原服务站负责（如需取消请联系原服务站） / The elder moved; this"
            " demand stays with the station that took it", payload["moved_by"],
            payload["moved_at"] or now)
        traced.append(demand_id)
    return traced
