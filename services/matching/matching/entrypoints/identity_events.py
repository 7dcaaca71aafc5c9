"""The volunteer read model kept current from identity's events (each handled once: inbox),
each read with identity's contract (``identity.contracts``): a payload it refuses is retried,
then dead-lettered."""
from __future__ import annotations

from typing import Any

from identity.contracts import (
    ELDER_PRIORITY_GRANTED,
    ELDER_PRIORITY_REVOKED,
    PERSON_MOVED,
    PERSON_STATUS_CHANGED,
    QUALIFICATION_EXPIRED,
    QUALIFICATION_VERIFIED,
    VOLUNTEER_ELIGIBLE,
    VOLUNTEER_SUSPENDED,
)
from timebank_common.db import UnitOfWork
from timebank_common.events import event_handler, once

from ..app.upkeep import volunteers
from .dependencies import Dependencies

Event = dict[str, Any]


class IdentityEvents(Dependencies):
    @event_handler(VOLUNTEER_ELIGIBLE)
    @once("matching.on_volunteer_eligible")
    def on_volunteer_eligible(self, uow: UnitOfWork, event: Event) -> None:
        received = VOLUNTEER_ELIGIBLE.load_event(event)
        volunteers.volunteer_eligible(uow, received["payload"], received["occurred_at"])

    @event_handler(VOLUNTEER_SUSPENDED)
    @once("matching.on_volunteer_suspended")
    def on_volunteer_suspended(self, uow: UnitOfWork, event: Event) -> None:
        received = VOLUNTEER_SUSPENDED.load_event(event)
        volunteers.volunteer_suspended(uow, received["payload"], received["occurred_at"])

    @event_handler(QUALIFICATION_EXPIRED)
    @once("matching.on_qualification_expired")
    def on_qualification_expired(self, uow: UnitOfWork, event: Event) -> None:
        volunteers.qualification_changed(
            uow, QUALIFICATION_EXPIRED.load_event(event)["payload"], held=False)

    @event_handler(QUALIFICATION_VERIFIED)
    @once("matching.on_qualification_verified")
    def on_qualification_verified(self, uow: UnitOfWork, event: Event) -> None:
        volunteers.qualification_changed(
            uow, QUALIFICATION_VERIFIED.load_event(event)["payload"], held=True)

    @event_handler(ELDER_PRIORITY_GRANTED)
    @once("matching.on_elder_priority_granted")
    def on_elder_priority_granted(self, uow: UnitOfWork, event: Event) -> None:
        received = ELDER_PRIORITY_GRANTED.load_event(event)
        volunteers.elder_priority_granted(uow, received["payload"], received["occurred_at"])

    @event_handler(ELDER_PRIORITY_REVOKED)
    @once("matching.on_elder_priority_revoked")
    def on_elder_priority_revoked(self, uow: UnitOfWork, event: Event) -> None:
        received = ELDER_PRIORITY_REVOKED.load_event(event)
        volunteers.elder_priority_revoked(uow, received["payload"], received["occurred_at"])

    @event_handler(PERSON_MOVED)
    @once("matching.on_person_moved")
    def on_person_moved(self, uow: UnitOfWork, event: Event) -> None:
        received = PERSON_MOVED.load_event(event)
        volunteers.person_moved(uow, received["payload"], received["occurred_at"])

    @event_handler(PERSON_STATUS_CHANGED)
    @once("matching.on_person_status_changed")
    def on_person_status_changed(self, uow: UnitOfWork, event: Event) -> None:
        received = PERSON_STATUS_CHANGED.load_event(event)
        volunteers.person_status_changed(uow, received["payload"], received["occurred_at"])
