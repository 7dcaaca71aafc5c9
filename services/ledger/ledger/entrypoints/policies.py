"""Regional policies: read (anyone: policies are public) and add (admins)."""
from __future__ import annotations

from marshmallow import fields

from timebank_common.service import rpc

from ..app import policies
from ..contracts.policies import AddPolicyIn, PolicyOut
from ..contracts.values import region_code

_POLICY = PolicyOut()


class PolicyEntrypoints:
    @rpc(args={"region_code": region_code(),
               "on_date": fields.Date(load_default=None, allow_none=True)},
         returns=PolicyOut)
    def policy(self, region_code, on_date=None):
        """The policy in effect in a region on a date (default today, China time), which row
        set each value, and every row that applies (with who added it and when)."""
        return _POLICY.dump(policies.policy(self.db, region_code, on_date, self.clock.now()))

    @rpc(args={"data": AddPolicyIn}, returns=PolicyOut, idempotent=True)
    def add_policy(self, caller, data):
        """A province, city or county admin (scope covering the region) adds a row taking
        effect after today; rows are never changed (the table is the audit: who, when, why).
        Answers the policy on that date."""
        return _POLICY.dump(policies.add_policy(self.db, caller, data, self.clock.now()))
