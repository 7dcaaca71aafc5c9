"""Handlers of identity's events, each declared with identity's contract, which also reads
the envelope (a payload it refuses fails the handler: retried, then dead-lettered); each
tells whom the use case says (in ``notify.app.identity_events``) and records the event in
the inbox in the same transaction (a redelivered event makes nothing twice)."""
from __future__ import annotations

from identity.contracts import (
    PERSON_MOVED,
    PERSON_STATUS_CHANGED,
    VOLUNTEER_ELIGIBLE,
    VOLUNTEER_SUSPENDED,
)
from timebank_common.events import event_handler, once

from ..app import identity_events
from ..app.received import Received
from .base import NotifyEntrypoints


class IdentityEventEntrypoints(NotifyEntrypoints):
    @event_handler(VOLUNTEER_ELIGIBLE)
    @once("notify.on_volunteer_eligible")
    def on_volunteer_eligible(self, uow, event) -> None:
        received = Received.of(VOLUNTEER_ELIGIBLE.load_event(event))
        identity_events.volunteer_eligible(uow, received, self.clock.now(), self.identity_service())

    @event_handler(VOLUNTEER_SUSPENDED)
    @once("notify.on_volunteer_suspended")
    def on_volunteer_suspended(self, uow, event) -> None:
        received = Received.of(VOLUNTEER_SUSPENDED.load_event(event))
        identity_events.volunteer_suspended(uow, received, self.clock.now(),
                                            self.identity_service())

    @event_handler(PERSON_MOVED)
    @once("notify.on_person_moved")
    def on_person_moved(self, uow, event) -> None:
        received = Received.of(PERSON_MOVED.load_event(event))
        identity_events.person_moved(uow, received, self.clock.now(), self.identity_service())

    @event_handler(PERSON_STATUS_CHANGED)
    @once("notify.on_person_status_changed")
    def on_person_status_changed(self, uow, event) -> None:
        received = Received.of(PERSON_STATUS_CHANGED.load_event(event))
        identity_events.person_status_changed(uow, received, self.clock.now(),
                                              self.identity_service())
