"""The reservation saga's steps on demand's side, each in the caller's unit of work (so the
event is in the outbox of the same transaction as the change). Rules: domain/payments.py.
"""
from __future__ import annotations

from typing import Any

from ..adapters import assignment_repository as arepo
from ..contracts import RESERVATION_RELEASED, RESERVATION_REQUESTED
from ..domain import payments
from ..domain.lifecycle import Assignment, Demand


def on_assigned(uow, demand: Demand, assignment: Assignment, margin_seconds: float) -> None:
    """After the assignment is saved: ask the ledger to reserve the expected minutes from the
    elder's own hours or grant (nothing for a pool- or issuance-funded demand)."""
    if not payments.needs_reservation(demand.funding_source):
        return
    assert assignment.id is not None  # saved
    assignment.reservation_status = payments.REQUESTED
    arepo.set_reservation_status(uow, assignment.id, payments.REQUESTED, None)
    uow.emit(RESERVATION_REQUESTED, {
        "assignment_id": assignment.id,
        "reservation_id": payments.reservation_id(assignment.id),
        "demand_id": demand.id, "elder_id": demand.elder_id,
        "volunteer_id": assignment.volunteer_id,
        "volunteer_region_code": assignment.volunteer_region_code,
        "funding_source": demand.funding_source, "fallback_reason": demand.fallback_reason,
        "category": demand.category, "minutes": demand.expected_minutes,
        "expires_at": payments.expires_at(demand.window_end, margin_seconds),
        "region_code": demand.region_code,
    }, demand.region_code)


def on_released(uow, demand: Demand, assignment: Assignment, reason: str) -> None:
    """The assignment ended without a service (withdrawn, no-show, cancelled): release."""
    if not payments.must_release(assignment.reservation_status):
        return
    assert assignment.id is not None  # saved
    assignment.reservation_status = payments.RELEASED
    arepo.set_reservation_status(uow, assignment.id, payments.RELEASED, reason)
    uow.emit(RESERVATION_RELEASED, {
        "assignment_id": assignment.id,
        "reservation_id": payments.reservation_id(assignment.id),
        "demand_id": demand.id, "reason": reason,
    }, demand.region_code)


def on_cancelled(uow, demand: Demand) -> None:
    for assignment in demand.assignments:
        on_released(uow, demand, assignment, payments.RELEASE_CANCELLED)


def on_record_dropped(uow, demand: Demand, record: dict[str, Any], reason: str) -> None:
    """A record that will never reach the ledger (rejected after a second look, or voided by
    a dispute before it was sent): the assignment's reservation is released."""
    assignment = next(a for a in demand.assignments if a.id == record["assignment_id"])
    on_released(uow, demand, assignment, reason)


def on_recorded(uow, assignment: Assignment, payload: dict[str, Any]) -> dict[str, Any]:
    """``service_recorded``'s payload with the reservation the ledger is to post (None when
    there is none to post)."""
    reservation = None
    if payments.must_release(assignment.reservation_status):
        assert assignment.id is not None  # saved
        reservation = payments.reservation_id(assignment.id)
        assignment.reservation_status = payments.SETTLED
        arepo.set_reservation_status(uow, assignment.id, payments.SETTLED, None)
    return {**payload, "reservation_id": reservation}


def on_reply(uow, payload: dict[str, Any], reply: str) -> None:
    """The ledger's ``reservation_made`` / ``reservation_refused`` shown on the assignment."""
    row = arepo.reservation_status_of(uow, payload["assignment_id"], lock=True)
    if row is None:
        return
    status = payments.after_reply(row.reservation_status, reply)
    if status != row.reservation_status:
        arepo.set_reservation_status(uow, payload["assignment_id"], status, payload.get("reason"))
