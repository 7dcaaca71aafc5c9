"""The ledger's replies to the reservation saga (``reservation_made``,
``reservation_refused``), shown on the assignment; each handled once (inbox)."""
from __future__ import annotations

from ledger.contracts import RESERVATION_MADE, RESERVATION_REFUSED
from timebank_common.events import event_handler, once

from ..app import payments
from ..domain import payments as rules
from .base import EntrypointBase


class PaymentEntrypoints(EntrypointBase):
    @event_handler(RESERVATION_MADE)
    @once("demand.reservation_made")
    def on_reservation_made(self, uow, event):
        payments.on_reply(uow, RESERVATION_MADE.load_event(event)["payload"], rules.RESERVED)

    @event_handler(RESERVATION_REFUSED)
    @once("demand.reservation_refused")
    def on_reservation_refused(self, uow, event):
        payments.on_reply(uow, RESERVATION_REFUSED.load_event(event)["payload"], rules.REFUSED)
