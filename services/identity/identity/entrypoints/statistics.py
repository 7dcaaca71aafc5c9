"""Figures for supervisors (统计), and the services demand records (for the ``active`` figure)."""
from __future__ import annotations

from demand.contracts import SERVICE_RECORDED
from timebank_common.events import event_handler, once
from timebank_common.schemas import load
from timebank_common.service import rpc

from ..app import statistics
from ..contracts import IdentityStats, StatsQuerySchema
from ..domain.statistics import Period


class StatisticsEntrypoints:
    @rpc(returns=IdentityStats)
    def identity_stats(self, caller, region_code=None, period_from=None, period_to=None):
        """Volunteers registered / new in the period / eligible / active (served in the last
        90 days), elders by hardship category and age band, carriers by kind, station
        operators, and the same main figures per child region; admins, auditors and API
        clients, in scope."""
        query = load(StatsQuerySchema(), {"region": region_code, "from": period_from,
                                          "to": period_to})
        return statistics.identity_stats(self.db, caller, query["region_code"],
                                         Period(query["period_from"], query["period_to"]),
                                         self.clock.now())

    @event_handler(SERVICE_RECORDED)
    @once("identity.note_service")
    def on_service_recorded(self, uow, event):
        """Keep each volunteer's last service, for the ``active`` figure of ``identity_stats``."""
        statistics.note_service(uow, SERVICE_RECORDED.load_event(event)["payload"])
