"""Operators (工作人员): staff grants, delegated only downward."""
from __future__ import annotations

from marshmallow import fields

from timebank_common.service import rpc

from ..app import operators
from ..contracts import (
    REASON,
    CreateOperatorSchema,
    OperatorCreated,
    OperatorListSchema,
    OperatorPage,
    OperatorRevoked,
)
from .arguments import or_defaults


class OperatorEntrypoints:
    @rpc(args={"data": CreateOperatorSchema}, returns=OperatorCreated, idempotent=True)
    def create_operator(self, caller, data):
        """Grant a staff role below the caller's own, inside their scope (admins); the same
        ID number is the same person."""
        return operators.create_operator(self.db, caller, data, self.clock.now())

    @rpc(args={"query": OperatorListSchema}, returns=OperatorPage)
    def list_operators(self, caller, query=None):
        """Active staff grants in the caller's scope, paged (admins, auditors)."""
        return operators.list_operators(self.db, caller, or_defaults(query, OperatorListSchema))

    @rpc(args={"reason": fields.Str(required=True, validate=REASON)}, returns=OperatorRevoked)
    def revoke_operator_grant(self, caller, grant_id, reason):
        """Revoke a grant (an admin who could have granted it; not one's own)."""
        return operators.revoke_operator_grant(self.db, caller, grant_id, reason,
                                               self.clock.now())
