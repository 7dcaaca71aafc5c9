"""The ledger's side of the reservation saga with demand: reserve, release."""
from __future__ import annotations

from timebank_common.events import event_handler, once

from ..app import reservations
from . import consumed

REQUESTED_CONSUMER = "ledger.reservation_requested"
RELEASED_CONSUMER = "ledger.reservation_released"


class ReservationEntrypoints:
    @event_handler("demand", "reservation_requested")
    @once(REQUESTED_CONSUMER)
    def on_reservation_requested(self, uow, event):
        """Reserve the expected minutes from the elder's own hours or grant (the saga)."""
        reservations.on_requested(uow, consumed.reservation_requested(event), self.clock.now())

    @event_handler("demand", "reservation_released")
    @once(RELEASED_CONSUMER)
    def on_reservation_released(self, uow, event):
        """Void the reservation of a withdrawn, no-show or cancelled assignment."""
        reservations.on_released(uow, consumed.reservation_released(event), self.clock.now())
