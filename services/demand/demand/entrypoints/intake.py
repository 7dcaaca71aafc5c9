"""Intake RPCs: submission on every channel, adjustment and review, review escalations (and
the timer that raises them)."""
from __future__ import annotations

from timebank_common.service import rpc, scheduled

from ..app.intake import escalation, submission
from ..app.intake import review as reviewing
from ..contracts import (
    AdjustSchema,
    DemandOut,
    DemandWithHistoryOut,
    EscalationPageOut,
    EscalationQuery,
    FundingCheckOut,
    IntakeReviewSchema,
    SubmitSchema,
)
from ..domain.escalation import DEFAULT_REVIEW_SECONDS
from .base import EntrypointBase, given


class IntakeEntrypoints(EntrypointBase):
    @rpc(args={"data": SubmitSchema}, returns=DemandOut, idempotent=True)
    def submit(self, caller, data):
        """One demand from any channel: ``phone``/``station`` (an operator for an elder in
        scope), ``app`` (the elder, or their proxy relative), ``api`` (a municipal client)."""
        return submission.submit(self.db, caller, data, self.clock.now(), self.identity_client)

    @rpc(args={"data": AdjustSchema}, returns=DemandWithHistoryOut)
    def adjust(self, caller, demand_id, data):
        """Change a demand's content before review, with a mandatory reason; every changed
        field is kept in the demand's history and announced as ``demand_adjusted``."""
        return reviewing.adjust(self.db, caller, demand_id, data, self.clock.now())

    @rpc(args={"data": IntakeReviewSchema}, returns=DemandWithHistoryOut, idempotent=True)
    def review(self, caller, demand_id, data):
        """Approve or reject (with a reason); ``adjust`` changes the content first, in the
        same transaction. The payer was chosen at submission (a ``funding_source`` is refused,
        400 ``funding_chosen_at_submission``); approving a demand whose chosen source (own
        hours, grant: the ledger's balance, asked as the reviewer) cannot cover
        ``expected_minutes × volunteers_needed`` needs a ``fallback_reason`` (422
        ``funding_shortfall`` with the figures). Closes the demand's escalation, if any."""
        return reviewing.review(self.db, caller, demand_id, data, self.clock.now(),
                                self.ledger_client)

    @rpc(returns=FundingCheckOut)
    def funding_check(self, caller, demand_id):
        """Staff in scope, before approving: the payer the elder chose, the minutes needed,
        what that source can pay now (the ledger's balance, asked as the caller) and the
        shortfall an approval would need a ``fallback_reason`` for."""
        return reviewing.funding_check(self.db, caller, demand_id, self.ledger_client)

    @rpc(args={"filters": EscalationQuery}, returns=EscalationPageOut)
    def escalations(self, caller, filters=None):
        """Open escalations (``include_closed`` for all) of demands in the caller's scope or a
        region below it: township staff and above, and auditors."""
        return escalation.escalations_in_scope(self.db, caller, given(filters, EscalationQuery))

    @scheduled("REVIEW_ESCALATION_CHECK_SECONDS", 300)
    def escalate_unreviewed(self):
        """Every process runs this; a demand is escalated once (primary key)."""
        escalation.escalate_overdue(self.db, self.clock.now(),
                                    self.setting("REVIEW_ESCALATION_SECONDS",
                                                 DEFAULT_REVIEW_SECONDS))
