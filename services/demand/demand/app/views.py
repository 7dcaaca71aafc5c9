"""What the use cases answer: a demand as the caller may see it (a volunteer not serving the
elder sees a masked address and no location), with its history and, for operators, each
volunteer's reliability; dumped with the contracts' schemas."""
from __future__ import annotations

from typing import Any

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.db import UnitOfWorkFactory

from ..adapters import assignment_repository as assignments
from ..adapters import demand_repository as demands
from ..adapters import escalation_repository as escalations
from ..adapters import recording_overdue_repository
from ..contracts import (
    DemandChangeOut,
    DemandOut,
    EscalationOut,
    RecordingOverdueOut,
    ReliabilityOut,
)
from ..domain import access
from ..domain.lifecycle import Demand


def demand_view(demand: Demand, visibility: access.Visibility | None = None) -> dict[str, Any]:
    out: dict[str, Any] = DemandOut().dump(demand)
    if visibility is not None and not visibility.sees_address(demand):
        out["address"] = access.mask_address(out["address"])
        out["location"] = None
    return out


def history_of(uow, demand_id: str) -> dict[str, Any]:
    """``{changes, escalation, recording_overdue}`` of a demand, shown with it (``get``,
    ``review``, ``adjust``)."""
    raised = escalations.escalation_of(uow, demand_id)
    return {"changes": DemandChangeOut(many=True).dump(demands.changes_of(uow, demand_id)),
            "escalation": EscalationOut().dump(raised) if raised else None,
            "recording_overdue": RecordingOverdueOut(many=True).dump(
                recording_overdue_repository.overdue_of(uow, demand_id))}


def with_history(uow, demand: Demand) -> dict[str, Any]:
    return {**demand_view(demand), **history_of(uow, demand.id)}


def reliability_view(counts: dict[str, Any]) -> dict[str, Any]:
    """Counts plus ``reliability`` = completed / (completed + withdrawn + no-shows)."""
    ended = counts["completed"] + counts["withdrawn"] + counts["no_shows"]
    view: dict[str, Any] = ReliabilityOut().dump({
        **counts, "reliability": round(counts["completed"] / ended, 4) if ended else None})
    return view


def with_reliability(db: UnitOfWorkFactory, caller: Caller, view: dict[str, Any]
                     ) -> dict[str, Any]:
    """Operators see each assigned volunteer's reliability on the demand's view."""
    if not caller.has(*STATION_STAFF) or not view.get("assignments"):
        return view
    with db() as uow:
        counts = assignments.reliability_of(uow, [a["volunteer_id"]
                                                   for a in view["assignments"]])
    for item in view["assignments"]:
        item["reliability"] = reliability_view(counts[item["volunteer_id"]])
    return view
