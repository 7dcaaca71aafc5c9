"""Operations on the read models: the rebuild, and keeping the change log short."""
from __future__ import annotations

from typing import Any

from timebank_common.service import rpc, scheduled

from ..app import change_log, rebuild
from ..contracts import RebuildCounts
from .dependencies import Dependencies


class ReadModels(Dependencies):
    @rpc(returns=RebuildCounts, internal=True)
    def rebuild_read_models(self) -> dict[str, Any]:
        """Operations: drop the read models and reload them from identity
        (``matching_volunteers``, ``priority_elders``) and demand (``matching_demands``,
        ``service_records``, ``catalog``); a service that does not answer leaves them as
        they were (503)."""
        counts = rebuild.rebuild_read_models(self.db, self.identity_client(),
                                             self.demand_client(), self.clock.now())
        dumped: dict[str, Any] = RebuildCounts().dump(counts)
        return dumped

    @scheduled("CHANGE_LOG_PRUNE_SECONDS", 3600)
    def prune_change_log(self) -> None:
        """Drop change-log rows older than a day (every process caught up long since)."""
        change_log.prune_change_log(self.db)
