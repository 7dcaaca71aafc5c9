"""``ledger_stats``: minutes moved in a region and period, for supervisors (item 10).

Who: admins, auditors and API clients, for a region in their scope (their own scope when no
region is given). Which region a movement counts in: see ``domain/statistics.py``. Besides
the period's movements: the issuance liability and the donation pools' balances of the
city-level units in the region, as of now.
"""
from __future__ import annotations

import datetime as dt

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.periods import day_bounds
from timebank_common.regions import prefix_of

from ..adapters import statistics as figures_repo
from ..contracts.roles import STATS_READERS
from ..domain.statistics import ledger_figures


def ledger_stats(db: UnitOfWorkFactory, caller: Caller, region_code: str | None,
                 period_from: dt.date | None, period_to: dt.date | None) -> dict:
    with db() as uow:
        caller.require(*STATS_READERS)
        region_code = region_code or caller.scope
        caller.require_scope(region_code)
        assert region_code  # require_scope refuses a missing one
        prefix = prefix_of(region_code)
        start, end = day_bounds(period_from, period_to)
        figures = ledger_figures(region_code, figures_repo.flows(uow, prefix, start, end),
                                 figures_repo.issuance_balances(uow, prefix),
                                 pools=figures_repo.pool_balances(uow, prefix))
    return {**figures, "period": {"from": period_from.isoformat() if period_from else None,
                                  "to": period_to.isoformat() if period_to else None}}
