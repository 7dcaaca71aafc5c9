"""Reading and cancelling demands, and the internal listings matching and the ledger page
through."""
from __future__ import annotations

from timebank_common.schemas import load
from timebank_common.service import rpc

from ..app import demands
from ..contracts import (
    CancelSchema,
    DemandOut,
    DemandPageOut,
    DemandWithHistoryOut,
    ListSchema,
    MatchingDemandPageOut,
    MatchingDemandsQuery,
    ServiceRecordPageOut,
    ServiceRecordsQuery,
)
from .base import EntrypointBase, given


class DemandEntrypoints(EntrypointBase):
    @rpc(returns=DemandWithHistoryOut)
    def get(self, caller, demand_id):
        """One demand as the caller may see it (staff in scope; the elder; their proxy; a
        volunteer: published in their city or their own); with its ``changes`` and
        ``escalation`` to whoever sees its address."""
        return demands.get_demand(self.db, caller, demand_id, self.identity_client)

    @rpc(args={"filters": ListSchema}, returns=DemandPageOut)
    def list(self, caller, filters=None):
        """The demands the caller may see, newest first: ``{items, total, page, page_size}``."""
        return demands.list_demands(self.db, caller, given(filters, ListSchema),
                                    self.identity_client)

    @rpc(args={"data": CancelSchema}, returns=DemandOut, idempotent=True)
    def cancel(self, caller, demand_id, data):
        """The elder, or operators/admins in scope: ``cancelled``."""
        return demands.cancel(self.db, caller, demand_id, data, self.clock.now())

    @rpc(returns=MatchingDemandPageOut, internal=True)
    def matching_demands(self, after=None, limit=1000):
        """Matching's rebuild of its read model: demands published, assigned or in service
        whose window is not over, a page of at most ``limit`` by id (``after``: the last)."""
        query = load(MatchingDemandsQuery(), {"after": after, "limit": limit})
        return demands.matching_demands(self.db, query, self.clock.now())

    @rpc(returns=ServiceRecordPageOut, internal=True)
    def service_records(self, region_prefix=None, period_from=None, period_to=None,
                        record_ids=None, after=None, limit=1000):
        """The ledger's reconciliation: service records of a region prefix recorded in a
        period of China dates (both included), and/or with these ids; a page of at most
        ``limit`` by record id (``after``: the last)."""
        query = load(ServiceRecordsQuery(), {
            "region_prefix": region_prefix, "period_from": period_from, "period_to": period_to,
            "record_ids": record_ids, "after": after, "limit": limit})
        return demands.service_records(self.db, query)
