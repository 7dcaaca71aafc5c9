"""Matching's figures for supervisors."""
from __future__ import annotations

from typing import Any

from timebank_common.caller import Caller
from timebank_common.service import rpc

from ..app import statistics
from ..contracts import StatsOut
from .dependencies import Dependencies


class Statistics(Dependencies):
    @rpc(returns=StatsOut)
    def matching_stats(self, caller: Caller, region_code: str | None = None,
                       period_from: str | None = None, period_to: str | None = None
                       ) -> dict[str, Any]:
        """Match rate (assigned / published), demands with a candidate, time to the first
        candidate (median, mean seconds), dispatch runs and proposal outcomes, by publication
        or proposal date in China days: admins, auditors and API clients in scope."""
        dumped: dict[str, Any] = StatsOut().dump(statistics.matching_stats(
            self.db, caller, region_code, period_from, period_to))
        return dumped
