"""The read models kept current from demand's events (each handled once: inbox), each read
with demand's contract (``demand.contracts``): a payload it refuses is retried, then
dead-lettered."""
from __future__ import annotations

from typing import Any

from demand.contracts import (
    ASSIGNMENT_NO_SHOW,
    ASSIGNMENT_WITHDRAWN,
    DEMAND_ASSIGNED,
    DEMAND_CANCELLED,
    DEMAND_PUBLISHED,
    DEMAND_STARTED,
    EVALUATION_SUBMITTED,
    SERVICE_RECORDED,
)
from timebank_common.db import UnitOfWork
from timebank_common.events import event_handler, once

from ..app.upkeep import demands
from .dependencies import Dependencies

Event = dict[str, Any]


class DemandEvents(Dependencies):
    @event_handler(DEMAND_PUBLISHED)
    @once("matching.on_demand_published")
    def on_demand_published(self, uow: UnitOfWork, event: Event) -> None:
        received = DEMAND_PUBLISHED.load_event(event)
        demands.demand_published(uow, received["payload"], received["occurred_at"])

    @event_handler(DEMAND_ASSIGNED)
    @once("matching.on_demand_assigned")
    def on_demand_assigned(self, uow: UnitOfWork, event: Event) -> None:
        received = DEMAND_ASSIGNED.load_event(event)
        demands.demand_assigned(uow, received["payload"], received["occurred_at"])

    @event_handler(DEMAND_CANCELLED)
    @once("matching.on_demand_cancelled")
    def on_demand_cancelled(self, uow: UnitOfWork, event: Event) -> None:
        received = DEMAND_CANCELLED.load_event(event)
        demands.demand_cancelled(uow, received["payload"], received["occurred_at"])

    @event_handler(DEMAND_STARTED)
    @once("matching.on_demand_started")
    def on_demand_started(self, uow: UnitOfWork, event: Event) -> None:
        received = DEMAND_STARTED.load_event(event)
        demands.demand_started(uow, received["payload"], received["occurred_at"])

    @event_handler(ASSIGNMENT_WITHDRAWN)
    @once("matching.on_assignment_withdrawn")
    def on_assignment_withdrawn(self, uow: UnitOfWork, event: Event) -> None:
        received = ASSIGNMENT_WITHDRAWN.load_event(event)
        demands.assignment_ended(uow, received["payload"], received["occurred_at"],
                                 no_show=False)

    @event_handler(ASSIGNMENT_NO_SHOW)
    @once("matching.on_assignment_no_show")
    def on_assignment_no_show(self, uow: UnitOfWork, event: Event) -> None:
        received = ASSIGNMENT_NO_SHOW.load_event(event)
        demands.assignment_ended(uow, received["payload"], received["occurred_at"],
                                 no_show=True)

    @event_handler(SERVICE_RECORDED)
    @once("matching.on_service_recorded")
    def on_service_recorded(self, uow: UnitOfWork, event: Event) -> None:
        received = SERVICE_RECORDED.load_event(event)
        demands.service_recorded(uow, received["payload"], received["occurred_at"])

    @event_handler(EVALUATION_SUBMITTED)
    @once("matching.on_evaluation_submitted")
    def on_evaluation_submitted(self, uow: UnitOfWork, event: Event) -> None:
        demands.evaluation_submitted(uow, EVALUATION_SUBMITTED.load_event(event)["payload"])
