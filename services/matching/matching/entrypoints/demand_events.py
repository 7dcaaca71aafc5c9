"""The read models kept current from demand's events (each handled once: inbox)."""
from __future__ import annotations

from typing import Any

from timebank_common.db import UnitOfWork
from timebank_common.events import event_handler, once

from ..app.upkeep import demands
from . import consumed
from .dependencies import Dependencies

Event = dict[str, Any]


class DemandEvents(Dependencies):
    @event_handler("demand", "demand_published")
    @once("matching.on_demand_published")
    def on_demand_published(self, uow: UnitOfWork, event: Event) -> None:
        demands.demand_published(uow, *consumed.read(consumed.DemandPublishedEvent(), event))

    @event_handler("demand", "demand_assigned")
    @once("matching.on_demand_assigned")
    def on_demand_assigned(self, uow: UnitOfWork, event: Event) -> None:
        demands.demand_assigned(uow, *consumed.read(consumed.DemandAssignedEvent(), event))

    @event_handler("demand", "demand_cancelled")
    @once("matching.on_demand_cancelled")
    def on_demand_cancelled(self, uow: UnitOfWork, event: Event) -> None:
        demands.demand_cancelled(uow, *consumed.read(consumed.DemandCancelledEvent(), event))

    @event_handler("demand", "demand_started")
    @once("matching.on_demand_started")
    def on_demand_started(self, uow: UnitOfWork, event: Event) -> None:
        demands.demand_started(uow, *consumed.read(consumed.DemandStartedEvent(), event))

    @event_handler("demand", "assignment_withdrawn")
    @once("matching.on_assignment_withdrawn")
    def on_assignment_withdrawn(self, uow: UnitOfWork, event: Event) -> None:
        demands.assignment_ended(uow, *consumed.read(consumed.AssignmentEndedEvent(), event),
                                 no_show=False)

    @event_handler("demand", "assignment_no_show")
    @once("matching.on_assignment_no_show")
    def on_assignment_no_show(self, uow: UnitOfWork, event: Event) -> None:
        demands.assignment_ended(uow, *consumed.read(consumed.AssignmentEndedEvent(), event),
                                 no_show=True)

    @event_handler("demand", "service_recorded")
    @once("matching.on_service_recorded")
    def on_service_recorded(self, uow: UnitOfWork, event: Event) -> None:
        demands.service_recorded(uow, *consumed.read(consumed.ServiceRecordedEvent(), event))

    @event_handler("demand", "evaluation_submitted")
    @once("matching.on_evaluation_submitted")
    def on_evaluation_submitted(self, uow: UnitOfWork, event: Event) -> None:
        payload, _ = consumed.read(consumed.EvaluationSubmittedEvent(), event)
        demands.evaluation_submitted(uow, payload)
