"""The audit log (审计日志): staff writes and unmasked reads."""
from __future__ import annotations

from timebank_common.service import rpc

from ..app import audit
from ..contracts import AuditPage, AuditQuerySchema
from .arguments import or_defaults


class AuditEntrypoints:
    @rpc(args={"filters": AuditQuerySchema}, returns=AuditPage)
    def query_audit(self, caller, filters=None):
        """Entries in the caller's scope, newest first; auditors and admins."""
        return audit.query_audit(self.db, caller, or_defaults(filters, AuditQuerySchema))
