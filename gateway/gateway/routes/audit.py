"""/api/v1/audit (identity's audit log: staff writes and unmasked reads)."""
from identity.contracts import SUPERVISORS, AuditPage, AuditQuerySchema

from ..routing import route


class AuditRoutes:
    @route("GET", "/api/v1/audit",
           summary="审计日志 Audit log in your scope, newest first (auditors and admins)",
           tags=["audit"], query=AuditQuerySchema, roles=SUPERVISORS,
           scoped=["region_code"],
           response=AuditPage)
    def query_audit(self, request, caller, query):
        return self.identity.query_audit(caller, query)
