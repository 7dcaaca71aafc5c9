"""Dispute outcomes from demand: its internal RPC and its ``dispute_resolved`` event."""
from __future__ import annotations

from demand.contracts import DISPUTE_RESOLVED
from timebank_common.events import event_handler, once
from timebank_common.schemas import load
from timebank_common.service import rpc

from ..app import disputes
from ..contracts.transfers import DisputeOutcomeIn, DisputeOutcomeOut

DISPUTE_CONSUMER = "ledger.apply_dispute"


class DisputeEntrypoints:
    @event_handler(DISPUTE_RESOLVED)
    @once(DISPUTE_CONSUMER)
    def on_dispute_resolved(self, uow, event):
        """Apply a resolved dispute about a credited service record (reversal entries);
        once per event (inbox) and once per dispute (the reversal id)."""
        disputes.on_dispute_resolved(uow, DISPUTE_RESOLVED.load_event(event)["payload"],
                                     self.clock.now())

    @rpc(returns=DisputeOutcomeOut, internal=True)
    def apply_dispute_outcome(self, dispute_id, record_id, outcome, minutes=None,
                              approver=None, reason=None):
        """Reverse a service credit fully (``voided``) or in part (``minutes_adjusted``:
        ``minutes`` = the corrected credit); ``upheld`` moves nothing. Idempotent by dispute
        id (``DisputeOutcomeIn``: approver and reason required)."""
        data = load(DisputeOutcomeIn(), {
            "dispute_id": dispute_id, "record_id": record_id, "outcome": outcome,
            "minutes": minutes, "approver": approver, "reason": reason})
        return DisputeOutcomeOut().dump(
            disputes.apply_dispute_outcome(self.db, data, self.clock.now()))
