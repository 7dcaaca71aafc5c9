"""A volunteer's feed: the open demands they may take, ranked."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import BadInput
from timebank_common.regions import prefix_of

from ..adapters import open_demands, volunteers
from ..adapters.index_cache import IndexCache
from ..domain.access import covered, feed_reader, is_self, no_volunteer
from ..domain.candidates import DemandToMatch
from ..domain.city_feed import FEED_SIZE, OpenDemand, city_unit, rank_for_volunteer
from .belonging import Standing, known_region, volunteer_region
from .requirements import Catalogue, requirements


def feed_for(db: UnitOfWorkFactory, views: IndexCache, caller: Caller, volunteer_id: Any,
             now: dt.datetime, demand: Catalogue, identity: Standing
             ) -> list[dict[str, Any] | OpenDemand]:
    """With a home, radius and hours known: only the demands the volunteer may take, nearest
    band first, priority elders first among equals (from the in-memory view); otherwise the
    city-level feed (own city-level unit first, earliest window). Staff see only demands in
    their scope, and only a volunteer's of their scope (one outside it is answered as one
    nobody has). The city-level feed ranks around where the volunteer belongs now (after a
    move: the new region); a volunteer who left, withdrew or died has none."""
    if not volunteer_id:
        raise BadInput("volunteer_required", "请指定志愿者", "A volunteer_id is required")
    volunteer_id = str(volunteer_id)
    feed_reader(caller, volunteer_id)
    restrict_to = None
    if is_self(caller, volunteer_id):
        region = known_region(db, volunteer_id) or caller.scope
    else:
        region = volunteer_region(db, identity, volunteer_id)
        covered(caller, region, no_volunteer(volunteer_id))
        restrict_to = caller.scope
    with db() as uow:
        if not volunteers.is_active(uow, volunteer_id):
            return []  # left, withdrew or died: nothing to take
        current = views.current(uow, now)
        volunteer = current.volunteers.get(volunteer_id)
        if volunteer is not None:  # known home, radius and hours: only what they may take
            needs = requirements(uow, demand, current.demands.category_codes())
            ranked = current.demands.feed(  # no yield: one state of the view
                volunteer, now, FEED_SIZE, needs,
                prefix_of(restrict_to) if restrict_to else None)
            return [_feed_item(e.demand, e.distance_km) for e in ranked]
        candidates = open_demands.feed_candidates(uow, city_unit(region), restrict_to, now,
                                                  FEED_SIZE)
    return list(rank_for_volunteer(candidates, region, now))


def _feed_item(demand: DemandToMatch, distance_km: float) -> dict[str, Any]:
    return {"demand_id": demand.demand_id, "window_start": demand.window_start,
            "window_end": demand.window_end, "open_slots": demand.open_slots,
            "priority_elder": demand.priority_elder, "distance_km": distance_km,
            "category": demand.category, "region_code": demand.region_code,
            "expected_minutes": demand.expected_minutes}
