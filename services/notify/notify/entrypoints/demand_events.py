"""Handlers of demand's events: each loads the payload, tells whom the use case says (in
``notify.app.demand_events``) and records the event in the inbox in the same transaction
(a redelivered event makes nothing twice)."""
from __future__ import annotations

from timebank_common.events import event_handler, once

from ..app import demand_events
from .base import NotifyEntrypoints
from .consumed import (
    AssignmentNoShowEvent,
    AssignmentWithdrawnEvent,
    ConfirmationOverdueEvent,
    DemandAssignedEvent,
    DemandCancelledEvent,
    DemandPublishedEvent,
    DisputeOpenedEvent,
    DisputeResolvedEvent,
    FollowUpOpenedEvent,
    ReviewOverdueEvent,
    ServiceRecordedEvent,
    received,
)


class DemandEventEntrypoints(NotifyEntrypoints):
    @event_handler("demand", "demand_published")
    @once("notify.on_demand_published")
    def on_demand_published(self, uow, event) -> None:
        demand_events.demand_published(
            uow, received(DemandPublishedEvent, event), self.clock.now(), self.identity_service(),
            self.demand_service())

    @event_handler("demand", "demand_assigned")
    @once("notify.on_demand_assigned")
    def on_demand_assigned(self, uow, event) -> None:
        demand_events.demand_assigned(
            uow, received(DemandAssignedEvent, event), self.clock.now(), self.identity_service())

    @event_handler("demand", "demand_cancelled")
    @once("notify.on_demand_cancelled")
    def on_demand_cancelled(self, uow, event) -> None:
        demand_events.demand_cancelled(
            uow, received(DemandCancelledEvent, event), self.clock.now(), self.identity_service())

    @event_handler("demand", "service_recorded")
    @once("notify.on_service_recorded")
    def on_service_recorded(self, uow, event) -> None:
        demand_events.service_recorded(
            uow, received(ServiceRecordedEvent, event), self.clock.now(), self.identity_service())

    @event_handler("demand", "demand_review_overdue")
    @once("notify.on_review_overdue")
    def on_review_overdue(self, uow, event) -> None:
        demand_events.review_overdue(
            uow, received(ReviewOverdueEvent, event), self.clock.now(), self.identity_service())

    @event_handler("demand", "dispute_opened")
    @once("notify.on_dispute_opened")
    def on_dispute_opened(self, uow, event) -> None:
        demand_events.dispute_opened(
            uow, received(DisputeOpenedEvent, event), self.clock.now(), self.identity_service())

    @event_handler("demand", "dispute_resolved")
    @once("notify.on_dispute_resolved")
    def on_dispute_resolved(self, uow, event) -> None:
        demand_events.dispute_resolved(
            uow, received(DisputeResolvedEvent, event), self.clock.now(), self.identity_service())

    @event_handler("demand", "follow_up_opened")
    @once("notify.on_follow_up_opened")
    def on_follow_up_opened(self, uow, event) -> None:
        demand_events.follow_up_opened(
            uow, received(FollowUpOpenedEvent, event), self.clock.now(), self.identity_service())

    @event_handler("demand", "record_confirmation_overdue")
    @once("notify.on_confirmation_overdue")
    def on_confirmation_overdue(self, uow, event) -> None:
        demand_events.confirmation_overdue(
            uow, received(ConfirmationOverdueEvent, event), self.clock.now(), self.identity_service())

    @event_handler("demand", "assignment_withdrawn")
    @once("notify.on_assignment_withdrawn")
    def on_assignment_withdrawn(self, uow, event) -> None:
        demand_events.assignment_withdrawn(
            uow, received(AssignmentWithdrawnEvent, event), self.clock.now(), self.identity_service())

    @event_handler("demand", "assignment_no_show")
    @once("notify.on_assignment_no_show")
    def on_assignment_no_show(self, uow, event) -> None:
        demand_events.assignment_no_show(
            uow, received(AssignmentNoShowEvent, event), self.clock.now(), self.identity_service())
