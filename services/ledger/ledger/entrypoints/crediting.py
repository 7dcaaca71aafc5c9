"""Crediting volunteers for the services demand records (``service_recorded``), many per
transaction: the hot path (see the README, "Throughput")."""
from __future__ import annotations

from demand.contracts import SERVICE_RECORDED
from timebank_common.batch_events import batch_event_handler, batch_once

from ..app import crediting
from .accounts import star_thresholds

CREDIT_CONSUMER = "ledger.credit_service"  # inbox consumer name
CREDIT_BATCH = 200  # service_recorded events credited per transaction


class CreditingEntrypoints:
    @batch_event_handler(SERVICE_RECORDED, batch_size=CREDIT_BATCH, max_wait=0.1)
    @batch_once(CREDIT_CONSUMER)
    def on_service_recorded(self, uow, events):
        """Credit each volunteer with the recorded minutes, once per service record; up to
        ``CREDIT_BATCH`` events in one transaction (``timebank_common.batch_events``)."""
        crediting.credit_services(uow, [SERVICE_RECORDED.load_event(e) for e in events],
                                  self.clock.now(), star_thresholds(self.config))
