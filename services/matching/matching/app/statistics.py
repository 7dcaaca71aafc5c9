"""Matching's figures for supervisors: match rate, time to the first candidate, dispatch."""
from __future__ import annotations

from typing import Any

from timebank_common.caller import ADMIN_ROLES, Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.periods import day_bounds
from timebank_common.schemas import load

from ..adapters import outcomes
from ..contracts import StatsQuery


def matching_stats(db: UnitOfWorkFactory, caller: Caller, region_code: str | None,
                   period_from: Any, period_to: Any) -> dict[str, Any]:
    """Admins, auditors and API clients, for a region in their scope (default: their scope),
    by publication and proposal date in China days."""
    caller.require(*ADMIN_ROLES, "auditor", "api_client")
    query = load(StatsQuery(), {"region_code": region_code or caller.scope,
                                "period_from": period_from, "period_to": period_to})
    caller.require_scope(query["region_code"])
    since, until = day_bounds(query["period_from"], query["period_to"])
    with db() as uow:
        figures = outcomes.stats(uow, query["region_code"], since, until)
    return {"region_code": query["region_code"], **figures}
