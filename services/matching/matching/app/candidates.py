"""The ranked, explained candidates for one open demand (station staff in its scope)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import BadInput

from ..adapters import match_inputs, outcomes
from ..adapters.index_cache import IndexCache
from ..contracts import CANDIDATES_SHOWN, MOST_CANDIDATES
from ..domain.access import covered, no_open_demand
from ..domain.candidates import Candidate
from ..domain.scoring import WEIGHTS
from .requirements import Catalogue, with_requirements


def candidates_for(db: UnitOfWorkFactory, views: IndexCache, caller: Caller, demand_id: Any,
                   limit: Any, now: dt.datetime, demand: Catalogue) -> dict[str, Any]:
    """``{demand_id, weights, items}``: up to ``limit`` (1–100, default 20) volunteers who
    pass every hard rule, best first, each with the parts of their score. 404
    ``open_demand_not_found`` when the demand is not open or lies outside the caller's scope;
    an open demand without a place has none. The first time a demand has candidates is noted for the statistics."""
    if not demand_id:
        raise BadInput("demand_required", "请指定需求", "A demand_id is required")
    caller.require(*STATION_STAFF)
    limit = max(1, min(int(limit or CANDIDATES_SHOWN), MOST_CANDIDATES))
    demand_id = str(demand_id)
    items: list[Candidate] = []
    with db() as uow:
        current = views.current(uow, now)
        target = current.demands.get(demand_id)  # open, with a place
        if target is None:  # not open (404), or open without a place (no candidates)
            row, target = match_inputs.demand_to_match(uow, demand_id)
            region_code = None if row is None else row.region_code
        else:
            region_code = target.region_code
        covered(caller, region_code, no_open_demand(demand_id))
        if target is not None:
            target = with_requirements(uow, demand, [target])[0]
            items = current.volunteers.candidates(target, limit, now)
        if items and not views.first_candidate_noted(demand_id):
            outcomes.first_candidate(uow, demand_id, now)
            uow.commit()
            views.remember_first_candidate(demand_id)
    return {"demand_id": demand_id, "weights": WEIGHTS, "items": [vars(c) for c in items]}
