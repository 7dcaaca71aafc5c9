"""The ledger's replies to the reservation saga (``reservation_made``,
``reservation_refused``), shown on the assignment; each handled once (inbox)."""
from __future__ import annotations

from timebank_common.events import event_handler, once
from timebank_common.schemas import load

from ..app import payments
from ..domain import payments as rules
from .base import EntrypointBase
from .consumed import ReservationReplyIn


class PaymentEntrypoints(EntrypointBase):
    @event_handler("ledger", "reservation_made")
    @once("demand.reservation_made")
    def on_reservation_made(self, uow, event):
        payments.on_reply(uow, load(ReservationReplyIn(), event["payload"]), rules.RESERVED)

    @event_handler("ledger", "reservation_refused")
    @once("demand.reservation_refused")
    def on_reservation_refused(self, uow, event):
        payments.on_reply(uow, load(ReservationReplyIn(), event["payload"]), rules.REFUSED)
