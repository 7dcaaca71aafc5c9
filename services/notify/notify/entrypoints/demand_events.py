"""Handlers of demand's events, each declared with demand's contract, which also reads
the envelope (a payload it refuses fails the handler: retried, then dead-lettered); each
tells whom the use case says (in ``notify.app.demand_events``) and records the event in the
inbox in the same transaction (a redelivered event makes nothing twice)."""
from __future__ import annotations

from demand.contracts import (
    ASSIGNMENT_NO_SHOW,
    ASSIGNMENT_WITHDRAWN,
    DEMAND_ASSIGNED,
    DEMAND_CANCELLED,
    DEMAND_PUBLISHED,
    DEMAND_REVIEW_OVERDUE,
    DISPUTE_OPENED,
    DISPUTE_RESOLVED,
    FOLLOW_UP_OPENED,
    RECORD_CONFIRMATION_OVERDUE,
    RECORDING_OVERDUE,
    SERVICE_RECORDED,
)
from timebank_common.events import event_handler, once

from ..app import demand_events
from ..app.received import Received
from .base import NotifyEntrypoints


class DemandEventEntrypoints(NotifyEntrypoints):
    @event_handler(DEMAND_PUBLISHED)
    @once("notify.on_demand_published")
    def on_demand_published(self, uow, event) -> None:
        received = Received.of(DEMAND_PUBLISHED.load_event(event))
        demand_events.demand_published(uow, received, self.clock.now(), self.identity_service(),
                                       self.demand_service())

    @event_handler(DEMAND_ASSIGNED)
    @once("notify.on_demand_assigned")
    def on_demand_assigned(self, uow, event) -> None:
        received = Received.of(DEMAND_ASSIGNED.load_event(event))
        demand_events.demand_assigned(uow, received, self.clock.now(), self.identity_service())

    @event_handler(DEMAND_CANCELLED)
    @once("notify.on_demand_cancelled")
    def on_demand_cancelled(self, uow, event) -> None:
        received = Received.of(DEMAND_CANCELLED.load_event(event))
        demand_events.demand_cancelled(uow, received, self.clock.now(), self.identity_service())

    @event_handler(SERVICE_RECORDED)
    @once("notify.on_service_recorded")
    def on_service_recorded(self, uow, event) -> None:
        received = Received.of(SERVICE_RECORDED.load_event(event))
        demand_events.service_recorded(uow, received, self.clock.now(), self.identity_service())

    @event_handler(DEMAND_REVIEW_OVERDUE)
    @once("notify.on_review_overdue")
    def on_review_overdue(self, uow, event) -> None:
        received = Received.of(DEMAND_REVIEW_OVERDUE.load_event(event))
        demand_events.review_overdue(uow, received, self.clock.now(), self.identity_service())

    @event_handler(DISPUTE_OPENED)
    @once("notify.on_dispute_opened")
    def on_dispute_opened(self, uow, event) -> None:
        received = Received.of(DISPUTE_OPENED.load_event(event))
        demand_events.dispute_opened(uow, received, self.clock.now(), self.identity_service())

    @event_handler(DISPUTE_RESOLVED)
    @once("notify.on_dispute_resolved")
    def on_dispute_resolved(self, uow, event) -> None:
        received = Received.of(DISPUTE_RESOLVED.load_event(event))
        demand_events.dispute_resolved(uow, received, self.clock.now(), self.identity_service())

    @event_handler(FOLLOW_UP_OPENED)
    @once("notify.on_follow_up_opened")
    def on_follow_up_opened(self, uow, event) -> None:
        received = Received.of(FOLLOW_UP_OPENED.load_event(event))
        demand_events.follow_up_opened(uow, received, self.clock.now(), self.identity_service())

    @event_handler(RECORD_CONFIRMATION_OVERDUE)
    @once("notify.on_confirmation_overdue")
    def on_confirmation_overdue(self, uow, event) -> None:
        received = Received.of(RECORD_CONFIRMATION_OVERDUE.load_event(event))
        demand_events.confirmation_overdue(uow, received, self.clock.now(), self.identity_service())

    @event_handler(ASSIGNMENT_WITHDRAWN)
    @once("notify.on_assignment_withdrawn")
    def on_assignment_withdrawn(self, uow, event) -> None:
        received = Received.of(ASSIGNMENT_WITHDRAWN.load_event(event))
        demand_events.assignment_withdrawn(uow, received, self.clock.now(), self.identity_service())

    @event_handler(ASSIGNMENT_NO_SHOW)
    @once("notify.on_assignment_no_show")
    def on_assignment_no_show(self, uow, event) -> None:
        received = Received.of(ASSIGNMENT_NO_SHOW.load_event(event))
        demand_events.assignment_no_show(uow, received, self.clock.now(), self.identity_service())

    @event_handler(RECORDING_OVERDUE)
    @once("notify.on_recording_overdue")
    def on_recording_overdue(self, uow, event) -> None:
        received = Received.of(RECORDING_OVERDUE.load_event(event))
        demand_events.recording_overdue(uow, received, self.clock.now(), self.identity_service())
