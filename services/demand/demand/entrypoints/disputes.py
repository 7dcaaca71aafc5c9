"""Dispute RPCs (item 9): opened by the elder, the volunteer or the station; handled by
township-level staff; the outcome reaches the ledger as ``dispute_resolved``."""
from __future__ import annotations

from timebank_common.service import rpc

from ..app import disputes
from ..contracts import (
    DisputeListQuery,
    DisputeNoteSchema,
    DisputeOut,
    DisputePageOut,
    OpenDisputeSchema,
    ResolveDisputeSchema,
    TakeDisputeSchema,
)
from .base import EntrypointBase, given


class DisputeEntrypoints(EntrypointBase):
    @rpc(args={"data": OpenDisputeSchema}, returns=DisputeOut, idempotent=True)
    def open_dispute(self, caller, data):
        """About a record (``record_id``) or an evaluation (``evaluation_id``), with a reason;
        one dispute per record or evaluation (a second is refused with the first's id)."""
        return disputes.open_dispute(self.db, caller, data, self.clock.now())

    @rpc(args={"filters": DisputeListQuery}, returns=DisputePageOut)
    def list_disputes(self, caller, filters=None):
        """Staff: disputes in their scope; the elder/volunteer: their own."""
        return disputes.list_disputes(self.db, caller, given(filters, DisputeListQuery))

    @rpc(returns=DisputeOut)
    def get_dispute(self, caller, dispute_id):
        """One dispute and its steps, for staff in scope and its parties."""
        return disputes.get_dispute(self.db, caller, dispute_id)

    @rpc(args={"data": TakeDisputeSchema}, returns=DisputeOut)
    def take_dispute(self, caller, dispute_id, data=None):
        """A township-level handler takes the dispute (``handler_id``: someone else, default
        the caller): ``in_review``."""
        return disputes.take_dispute(self.db, caller, dispute_id, data, self.clock.now())

    @rpc(args={"data": DisputeNoteSchema}, returns=DisputeOut)
    def comment_dispute(self, caller, dispute_id, data):
        """A party or a handler adds a note (evidence, a call's outcome)."""
        return disputes.comment_dispute(self.db, caller, dispute_id, data, self.clock.now())

    @rpc(args={"data": ResolveDisputeSchema}, returns=DisputeOut)
    def resolve_dispute(self, caller, dispute_id, data):
        """A township-level handler decides: ``upheld``, ``minutes_adjusted`` (records:
        ``minutes`` = the corrected minutes) or ``voided``."""
        return disputes.resolve_dispute(self.db, caller, dispute_id, data, self.clock.now())
