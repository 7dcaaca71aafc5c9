"""Handlers of the ledger's events, each declared with the ledger's contract, which also reads
the envelope (a payload it refuses fails the handler: retried, then dead-lettered); each
tells whom the use case says (in ``notify.app.ledger_events``) and records the event in the
inbox in the same transaction (a redelivered event makes nothing twice)."""
from __future__ import annotations

from ledger.contracts import (
    CERTIFICATE_ISSUED,
    HOURS_CREDITED,
    HOURS_GIVEN,
    MILESTONE_REACHED,
)
from timebank_common.events import event_handler, once

from ..app import ledger_events
from ..app.received import Received
from .base import NotifyEntrypoints


class LedgerEventEntrypoints(NotifyEntrypoints):
    @event_handler(HOURS_CREDITED)
    @once("notify.on_hours_credited")
    def on_hours_credited(self, uow, event) -> None:
        received = Received.of(HOURS_CREDITED.load_event(event))
        ledger_events.hours_credited(uow, received, self.clock.now(), self.identity_service())

    @event_handler(HOURS_GIVEN)
    @once("notify.on_hours_given")
    def on_hours_given(self, uow, event) -> None:
        received = Received.of(HOURS_GIVEN.load_event(event))
        ledger_events.hours_given(uow, received, self.clock.now(), self.identity_service())

    @event_handler(MILESTONE_REACHED)
    @once("notify.on_milestone_reached")
    def on_milestone_reached(self, uow, event) -> None:
        received = Received.of(MILESTONE_REACHED.load_event(event))
        ledger_events.milestone_reached(uow, received, self.clock.now(), self.identity_service())

    @event_handler(CERTIFICATE_ISSUED)
    @once("notify.on_certificate_issued")
    def on_certificate_issued(self, uow, event) -> None:
        received = Received.of(CERTIFICATE_ISSUED.load_event(event))
        ledger_events.certificate_issued(uow, received, self.clock.now(), self.identity_service())
