"""Priority elders (优先/困难老人): hardship categories submitted and verified (four-eyes)."""
from __future__ import annotations

from marshmallow import fields

from timebank_common.service import rpc, scheduled

from ..app import age_grants, priorities
from ..contracts import (
    REGION_CODE,
    AdvancedAgeGrants,
    PriorityElder,
    PriorityOut,
    ReviewSchema,
    RevokePrioritySchema,
    SubmitPrioritySchema,
)


class PriorityEntrypoints:
    @rpc(args={"data": SubmitPrioritySchema}, returns=PriorityOut, idempotent=True)
    def submit_priority(self, caller, elder_id, data):
        """A hardship category of an elder with evidence, pending; staff in scope."""
        return priorities.submit_priority(self.db, caller, elder_id, data)

    @rpc(args={"data": ReviewSchema}, returns=PriorityOut)
    def verify_priority(self, caller, elder_id, category, data):
        """Verify or reject a pending category (another staff member in scope)."""
        return priorities.verify_priority(self.db, caller, elder_id, category, data)

    @rpc(args={"data": RevokePrioritySchema}, returns=PriorityOut)
    def revoke_priority(self, caller, elder_id, category, data):
        """Withdraw a verified hardship category with a reason (staff in scope, not the elder
        themself); ``elder_priority_revoked``: grants stop from the next period. Advanced age
        cannot be withdrawn."""
        return priorities.revoke_priority(self.db, caller, elder_id, category, data)

    @rpc(returns=AdvancedAgeGrants, internal=True)
    def grant_advanced_ages(self):
        """Grant 高龄 to every active elder 80 or older not yet granted (once per elder); also
        run daily by ``sweep_advanced_ages``. Idempotent."""
        return age_grants.grant_advanced_ages(self.db, self.clock.now())

    @scheduled("ADVANCED_AGE_SWEEP_SECONDS", 3600)
    def sweep_advanced_ages(self):
        """Hourly (cheap when there is nothing to do): an elder who turns 80 today is granted
        within the hour after midnight (China time). Rows are taken SKIP LOCKED."""
        age_grants.grant_advanced_ages(self.db, self.clock.now())

    @rpc(args={"region_code": fields.Str(required=True, validate=REGION_CODE)},
         returns=PriorityElder(many=True), internal=True)
    def priority_elders(self, region_code):
        """The priority elders of a region (verified categories or 80+), for the ledger's
        pool allocation: no name, number or phone."""
        return priorities.priority_elders(self.db, region_code, self.clock.now())
