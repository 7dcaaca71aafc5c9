"""志愿汇 pushes (the timer that queues and sends them; the state, dead pushes and replay for
operators) and the reconciliation of interchange (RPCs)."""
from __future__ import annotations

import logging
from typing import Any

from timebank_common.service import rpc, scheduled

from ..adapters.ledger import LedgerCredits
from ..app import reconciliation, zyh
from ..contracts import (
    InterchangeReconciliationOut,
    InterchangeReconciliationQuery,
    ZyhDeadOut,
    ZyhDeadQuery,
    ZyhReplayIn,
    ZyhReplayOut,
    ZyhStatusOut,
)
from ..domain.zyh import ZyhSettings, settings_of
from .base import ReportingEntrypoints

log = logging.getLogger(__name__)


class InterchangeEntrypoints(ReportingEntrypoints):
    ledger: Any  # RpcProxy("ledger")

    @scheduled("ZYH_POLL_SECONDS", 5)
    def push_zyh(self) -> None:
        """Queue new credited record versions and POST what is due (when ``ZYH.enabled``)."""
        settings = settings_of(self.config)
        if not settings.enabled:
            return
        zyh.enqueue_changes(self.db, settings, self.clock.now())
        zyh.push_due(self.db, settings, self.clock)
        zyh.refresh_gauges(self.db, with_sent=False)

    @rpc(returns=ZyhStatusOut)
    def zyh_status(self, caller) -> dict[str, Any]:
        """How many 志愿汇 pushes are pending, sent and dead, the last success."""
        try:
            settings = settings_of(self.config)
        except ValueError:  # the timer logs it at every tick; here: not enabled
            log.exception("the ZYH configuration is not usable")
            settings = ZyhSettings()
        dumped: dict[str, Any] = ZyhStatusOut().dump(zyh.status(self.db, caller, settings))
        return dumped

    @rpc(args={"query": ZyhDeadQuery}, returns=ZyhDeadOut)
    def zyh_dead(self, caller, query) -> dict[str, Any]:
        """The dead 志愿汇 pushes (attempts used up), newest first, a page."""
        dumped: dict[str, Any] = ZyhDeadOut().dump(zyh.dead_for(self.db, caller, query))
        return dumped

    @rpc(args={"data": ZyhReplayIn}, returns=ZyhReplayOut)
    def zyh_replay(self, caller, data) -> dict[str, Any]:
        """Dead 志愿汇 pushes back to pending (province admins; audited)."""
        dumped: dict[str, Any] = ZyhReplayOut().dump(
            zyh.replay_for(self.db, caller, data, self.clock.now()))
        return dumped

    @rpc(args={"query": InterchangeReconciliationQuery}, returns=InterchangeReconciliationOut)
    def interchange_reconciliation(self, caller, query) -> dict[str, Any]:
        """Per channel, what was delivered against what the ledger credited, with the
        differences (the first ``MAX_DIFFERENCES`` and their count)."""
        dumped: dict[str, Any] = InterchangeReconciliationOut().dump(
            reconciliation.reconcile(self.db, LedgerCredits(self.config, self.ledger), caller, query))
        return dumped
