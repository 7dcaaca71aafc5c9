"""The ledger's side of the reservation saga with demand: reserve, release."""
from __future__ import annotations

from demand.contracts import RESERVATION_RELEASED, RESERVATION_REQUESTED
from timebank_common.events import event_handler, once

from ..app import reservations

REQUESTED_CONSUMER = "ledger.reservation_requested"
RELEASED_CONSUMER = "ledger.reservation_released"


class ReservationEntrypoints:
    @event_handler(RESERVATION_REQUESTED)
    @once(REQUESTED_CONSUMER)
    def on_reservation_requested(self, uow, event):
        """Reserve the expected minutes from the elder's own hours or grant (the saga)."""
        reservations.on_requested(uow, RESERVATION_REQUESTED.load_event(event), self.clock.now())

    @event_handler(RESERVATION_RELEASED)
    @once(RELEASED_CONSUMER)
    def on_reservation_released(self, uow, event):
        """Void the reservation of a withdrawn, no-show or cancelled assignment."""
        reservations.on_released(uow, RESERVATION_RELEASED.load_event(event), self.clock.now())
