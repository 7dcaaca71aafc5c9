"""Loading what the rules run on: volunteers (home, radius, hours, qualifications, busy
periods, history, minutes this month, elders who rated them well) and open demands (with their
elder's priority), as the domain's ``Volunteer`` and ``DemandToMatch``."""
from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from typing import Any

from sqlalchemy import BigInteger, Select, String, Text, and_, any_, bindparam, cast, select
from sqlalchemy.dialects.postgresql import ARRAY

from timebank_common.db import UnitOfWork, within
from timebank_common.regions import prefix_of

from ..domain import geo
from ..domain.availability import mask_of_windows
from ..domain.candidates import MAX_RADIUS_KM, DemandToMatch, Volunteer
from .service_history import month_of
from .tables import (
    assignments,
    good_ratings,
    monthly_minutes,
    open_demands,
    priority_elders,
    volunteer_history,
    volunteer_preferences,
    volunteers,
)


def _demand(row: Any, priority: bool) -> DemandToMatch:
    return DemandToMatch(row.demand_id, row.elder_id, row.location_lat, row.location_lng,
                         row.window_start, row.window_end, frozenset(row.qualifications or ()),
                         row.open_slots, priority, row.published_at, row.category,
                         row.region_code, row.expected_minutes)


def _priority_query() -> Select[Any]:
    return select(open_demands, priority_elders.c.elder_id.is_not(None).label("priority")) \
        .select_from(open_demands.outerjoin(
            priority_elders, priority_elders.c.elder_id == open_demands.c.elder_id))


def demand_to_match(uow: UnitOfWork, demand_id: str) -> tuple[Any, DemandToMatch | None]:
    """(row, DemandToMatch or None when the demand has no location)."""
    row = uow.execute(_priority_query().where(open_demands.c.demand_id == demand_id)).first()
    if row is None:
        return None, None
    if row.location_lat is None:
        return row, None
    return row, _demand(row, row.priority)


def open_demands_to_match(uow: UnitOfWork, ids: set[str] | None = None) -> list[DemandToMatch]:
    """Open demands with a place (those of ``ids``, or all), for the in-memory view."""
    stmt = _priority_query().where(open_demands.c.location_lat.is_not(None),
                                   open_demands.c.open_slots > 0)
    if ids is not None:
        if not ids:
            return []
        stmt = stmt.where(open_demands.c.demand_id == any_(
            bindparam("ids", sorted(ids), type_=ARRAY(String))))
    return [_demand(r, r.priority) for r in uow.execute(stmt).all()]


def demands_to_dispatch(uow: UnitOfWork, region_code: str, now: dt.datetime
                        ) -> list[DemandToMatch]:
    rows = uow.execute(_priority_query().where(
        within(open_demands.c.region_code, prefix_of(region_code)),
        open_demands.c.window_start > now, open_demands.c.open_slots > 0,
        open_demands.c.location_lat.is_not(None)).order_by(open_demands.c.demand_id)).all()
    return [_demand(r, r.priority) for r in rows]


def all_volunteers(uow: UnitOfWork, now: dt.datetime, page: int = 20_000
                   ) -> Iterator[list[Volunteer]]:
    """Every eligible volunteer with a home, in pages of ``page`` in id order (each page a
    statement of its own: a reader may let others work between pages)."""
    after = ""
    while True:
        found = volunteers_near(uow, None, now, after=after, limit=page)
        if found:
            yield found
        if len(found) < page:
            return
        after = found[-1].person_id


def volunteers_by_ids(uow: UnitOfWork, ids: set[str], now: dt.datetime) -> list[Volunteer]:
    """These volunteers, if eligible and with a home."""
    return volunteers_near(uow, None, now, only=sorted(ids)) if ids else []


def volunteers_near(uow: UnitOfWork, points: list[tuple[float, float]] | None, now: dt.datetime,
                    only: list[str] | None = None, after: str | None = None,
                    limit: int | None = None) -> list[Volunteer]:
    """Eligible, active volunteers with a home within MAX_RADIUS_KM of any point (grid cells), in id
    order, with their assignments, history, minutes this month and the elders who rated them
    well. For a single point, only those whose own radius reaches it (a flat-earth bound with
    0.5 % to spare; the exact check is the index's). ``points`` and ``only`` None: everyone
    (``after`` an id, up to ``limit`` of them).
    Lists travel as one array parameter each; hours and kinds arrive as JSON text, parsed
    once per distinct value (most volunteers share a few)."""
    p, v, h, m = volunteer_preferences, volunteers, volunteer_history, monthly_minutes
    month = month_of(now)
    stmt = (select(p.c.person_id, p.c.home_lat, p.c.home_lng, p.c.radius_km,
                   cast(p.c.availability, Text).label("availability"),
                   cast(v.c.qualifications, Text).label("qualifications"), h.c.completed,
                   h.c.no_shows, h.c.rating_sum, h.c.rating_count, m.c.minutes)
            .select_from(p.join(v, and_(v.c.person_id == p.c.person_id, v.c.eligible.is_(True),
                                       v.c.active.is_(True)))
                         .outerjoin(h, h.c.volunteer_id == p.c.person_id)
                         .outerjoin(m, and_(m.c.volunteer_id == p.c.person_id,
                                            m.c.month == month)))
            )
    if points is not None:
        cells = sorted({c for lat, lng in points
                        for c in geo.cells_covering(lat, lng, MAX_RADIUS_KM)})
        if not cells:
            return []
        stmt = stmt.where(p.c.cell == any_(bindparam("cells", cells, type_=ARRAY(BigInteger))))
    if only is not None:
        stmt = stmt.where(p.c.person_id == any_(bindparam("only", only, type_=ARRAY(String))))
    if points is not None and len(points) == 1:
        lat, lng = points[0]
        kx = geo.KM_PER_DEG_LAT * math.cos(math.radians(lat))
        dy = (p.c.home_lat - lat) * geo.KM_PER_DEG_LAT
        dx = (p.c.home_lng - lng) * kx
        stmt = stmt.where(dx * dx + dy * dy <= p.c.radius_km * p.c.radius_km * 1.01)
    if after:
        stmt = stmt.where(p.c.person_id > after)
    rows = uow.execute(stmt.order_by(p.c.person_id).limit(limit)).all()
    if not rows:
        return []
    everyone = points is None and only is None and limit is None
    ids = bindparam("ids", [r.person_id for r in rows], type_=ARRAY(String))
    busy: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    stmt = select(assignments.c.volunteer_id, assignments.c.window_start,
                  assignments.c.window_end).where(assignments.c.window_end > now)
    for a in uow.execute(stmt if everyone else
                         stmt.where(assignments.c.volunteer_id == any_(ids))):
        busy.setdefault(a.volunteer_id, []).append((a.window_start, a.window_end))
    rated: dict[str, set[str]] = {}
    stmt = select(good_ratings.c.volunteer_id, good_ratings.c.elder_id)
    for g in uow.execute(stmt if everyone else
                         stmt.where(good_ratings.c.volunteer_id == any_(ids))):
        rated.setdefault(g.volunteer_id, set()).add(g.elder_id)
    masks: dict[str, int] = {}
    kinds: dict[str, frozenset[str]] = {}
    out: list[Volunteer] = []
    for r in rows:
        if r.availability not in masks:
            masks[r.availability] = mask_of_windows(json.loads(r.availability))
        if r.qualifications not in kinds:
            kinds[r.qualifications] = frozenset(json.loads(r.qualifications))
        mine = busy.get(r.person_id)
        liked = rated.get(r.person_id)
        out.append(Volunteer(
            r.person_id, r.home_lat, r.home_lng, r.radius_km, kinds[r.qualifications],
            masks[r.availability], tuple(sorted(mine)) if mine else (), r.completed or 0,
            r.no_shows or 0, r.rating_sum or 0.0, r.rating_count or 0, r.minutes or 0,
            frozenset(liked) if liked else frozenset()))
    return out
