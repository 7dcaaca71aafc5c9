"""Handlers of identity's events: each loads the payload, tells whom the use case says (in
``notify.app.identity_events``) and records the event in the inbox in the same transaction
(a redelivered event makes nothing twice)."""
from __future__ import annotations

from timebank_common.events import event_handler, once

from ..app import identity_events
from .base import NotifyEntrypoints
from .consumed import (
    VolunteerEligibleEvent,
    VolunteerSuspendedEvent,
    received,
)


class IdentityEventEntrypoints(NotifyEntrypoints):
    @event_handler("identity", "volunteer_eligible")
    @once("notify.on_volunteer_eligible")
    def on_volunteer_eligible(self, uow, event) -> None:
        identity_events.volunteer_eligible(
            uow, received(VolunteerEligibleEvent, event), self.clock.now(), self.identity_service())

    @event_handler("identity", "volunteer_suspended")
    @once("notify.on_volunteer_suspended")
    def on_volunteer_suspended(self, uow, event) -> None:
        identity_events.volunteer_suspended(
            uow, received(VolunteerSuspendedEvent, event), self.clock.now(), self.identity_service())
