"""Handlers of ledger's events: each loads the payload, tells whom the use case says (in
``notify.app.ledger_events``) and records the event in the inbox in the same transaction
(a redelivered event makes nothing twice)."""
from __future__ import annotations

from timebank_common.events import event_handler, once

from ..app import ledger_events
from .base import NotifyEntrypoints
from .consumed import (
    CertificateIssuedEvent,
    HoursCreditedEvent,
    HoursGivenEvent,
    MilestoneReachedEvent,
    received,
)


class LedgerEventEntrypoints(NotifyEntrypoints):
    @event_handler("ledger", "hours_credited")
    @once("notify.on_hours_credited")
    def on_hours_credited(self, uow, event) -> None:
        ledger_events.hours_credited(
            uow, received(HoursCreditedEvent, event), self.clock.now(), self.identity_service())

    @event_handler("ledger", "hours_given")
    @once("notify.on_hours_given")
    def on_hours_given(self, uow, event) -> None:
        ledger_events.hours_given(
            uow, received(HoursGivenEvent, event), self.clock.now(), self.identity_service())

    @event_handler("ledger", "milestone_reached")
    @once("notify.on_milestone_reached")
    def on_milestone_reached(self, uow, event) -> None:
        ledger_events.milestone_reached(
            uow, received(MilestoneReachedEvent, event), self.clock.now(), self.identity_service())

    @event_handler("ledger", "certificate_issued")
    @once("notify.on_certificate_issued")
    def on_certificate_issued(self, uow, event) -> None:
        ledger_events.certificate_issued(
            uow, received(CertificateIssuedEvent, event), self.clock.now(), self.identity_service())
