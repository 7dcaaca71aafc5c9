"""Supervision figures and reconciliation with demand's service records."""
from __future__ import annotations

from timebank_common.schemas import load
from timebank_common.service import rpc

from ..adapters.demand import DemandClient
from ..app import interchange, reconciliation, statistics
from ..contracts.reconciliation import (
    ReconcileIn,
    ReconcileOut,
    ServiceCreditsIn,
    ServiceCreditsOut,
)
from ..contracts.statistics import InterchangeOut, InterchangeQuery, LedgerStatsOut, PeriodIn


class StatisticsEntrypoints:
    @rpc(returns=LedgerStatsOut)
    def ledger_stats(self, caller, region_code=None, period_from=None, period_to=None):
        """Minutes deposited/spent/gifted/donated/granted/allocated/reversed in the period for
        the region (and per child region), and the issuance liability and donation pools per
        city-level unit (``PeriodIn``: a 12-digit region, ISO dates in order)."""
        query = load(PeriodIn(), {"region_code": region_code,
                                  "period_from": period_from, "period_to": period_to})
        return LedgerStatsOut().dump(statistics.ledger_stats(
            self.db, caller, query["region_code"], query["period_from"], query["period_to"]))

    @rpc(args={"query": InterchangeQuery}, returns=InterchangeOut)
    def interchange_report(self, caller, query=None):
        """通存通兑: per pair of city-level units the minutes that flowed from one to the
        other in the period, and per unit what it issued, held, spent and received or sent
        (province or city admins and auditors, for the units their scope covers)."""
        if query is None:
            query = InterchangeQuery().load({})
        return InterchangeOut().dump(interchange.interchange_report(
            self.db, caller, query["period_from"], query["period_to"]))

    @rpc(returns=ReconcileOut, internal=True)
    def reconcile(self, region_code, period_from, period_to):
        """The ledger's service credits against demand's service records, by record id
        (``ReconcileIn``: a 12-digit region, ISO dates in order)."""
        query = load(ReconcileIn(), {"region_code": region_code,
                                     "period_from": period_from, "period_to": period_to})
        return ReconcileOut().dump(reconciliation.reconcile(
            self.db, DemandClient(self.config, self.demand), query["region_code"],
            query["period_from"], query["period_to"]))

    @rpc(args={"query": ServiceCreditsIn}, returns=ServiceCreditsOut, internal=True)
    def service_credits(self, query):
        """What the ledger credited per service record, net of reversals: of ``record_ids``,
        or a page of the region's credits posted in the period (reporting's reconciliation
        of interchange)."""
        return ServiceCreditsOut().dump(reconciliation.service_credits(self.db, query))
