"""The volunteer read model kept current from identity's events (each handled once: inbox)."""
from __future__ import annotations

from typing import Any

from timebank_common.db import UnitOfWork
from timebank_common.events import event_handler, once

from ..app.upkeep import volunteers
from . import consumed
from .dependencies import Dependencies

Event = dict[str, Any]


class IdentityEvents(Dependencies):
    @event_handler("identity", "volunteer_eligible")
    @once("matching.on_volunteer_eligible")
    def on_volunteer_eligible(self, uow: UnitOfWork, event: Event) -> None:
        volunteers.volunteer_eligible(
            uow, *consumed.read(consumed.VolunteerEligibleEvent(), event))

    @event_handler("identity", "volunteer_suspended")
    @once("matching.on_volunteer_suspended")
    def on_volunteer_suspended(self, uow: UnitOfWork, event: Event) -> None:
        volunteers.volunteer_suspended(
            uow, *consumed.read(consumed.VolunteerSuspendedEvent(), event))

    @event_handler("identity", "qualification_expired")
    @once("matching.on_qualification_expired")
    def on_qualification_expired(self, uow: UnitOfWork, event: Event) -> None:
        payload, _ = consumed.read(consumed.QualificationEvent(), event)
        volunteers.qualification_changed(uow, payload, held=False)

    @event_handler("identity", "qualification_verified")
    @once("matching.on_qualification_verified")
    def on_qualification_verified(self, uow: UnitOfWork, event: Event) -> None:
        payload, _ = consumed.read(consumed.QualificationEvent(), event)
        volunteers.qualification_changed(uow, payload, held=True)

    @event_handler("identity", "elder_priority_granted")
    @once("matching.on_elder_priority_granted")
    def on_elder_priority_granted(self, uow: UnitOfWork, event: Event) -> None:
        payload, _ = consumed.read(consumed.ElderPriorityGrantedEvent(), event)
        volunteers.elder_priority_granted(uow, payload)
