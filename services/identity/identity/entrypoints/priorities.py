"""Priority elders (优先/困难老人): hardship categories submitted and verified (four-eyes)."""
from __future__ import annotations

from marshmallow import fields

from timebank_common.service import rpc

from ..app import priorities
from ..contracts import REGION_CODE, PriorityElder, PriorityOut, ReviewSchema, SubmitPrioritySchema


class PriorityEntrypoints:
    @rpc(args={"data": SubmitPrioritySchema}, returns=PriorityOut)
    def submit_priority(self, caller, elder_id, data):
        """A hardship category of an elder with evidence, pending; staff in scope."""
        return priorities.submit_priority(self.db, caller, elder_id, data)

    @rpc(args={"data": ReviewSchema}, returns=PriorityOut)
    def verify_priority(self, caller, elder_id, category, data):
        """Verify or reject a pending category (another staff member in scope)."""
        return priorities.verify_priority(self.db, caller, elder_id, category, data)

    @rpc(args={"region_code": fields.Str(required=True, validate=REGION_CODE)},
         returns=PriorityElder(many=True), internal=True)
    def priority_elders(self, region_code):
        """The priority elders of a region (verified categories or 80+), for the ledger's
        pool allocation: no name, number or phone."""
        return priorities.priority_elders(self.db, region_code, self.clock.now())
