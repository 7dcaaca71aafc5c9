"""SQL of the volunteer read model, preferences, history, and the loading of match inputs."""
from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator

from sqlalchemy import (
    BigInteger,
    String,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert

from timebank_common.db import within
from timebank_common.regions import prefix_of

from .change_log import note_demands_of_elder, note_volunteers
from .domain import geo
from .domain.availability import SHANGHAI, mask_of_windows
from .domain.candidates import MAX_RADIUS_KM, DemandToMatch, Volunteer
from .domain.scoring import GOOD_RATING
from .tables import (
    assignments,
    category_requirements,
    good_ratings,
    monthly_minutes,
    open_demands,
    priority_elders,
    volunteer_history,
    volunteer_preferences,
    volunteers,
)


def note_volunteer(uow, person_id: str, region_code: str, eligible: bool,
                   qualifications: list[str] | None, as_of: dt.datetime) -> None:
    """Apply an eligibility event unless a later one was applied already."""
    values = {"region_code": region_code, "eligible": eligible, "as_of": as_of}
    if qualifications is not None:
        values["qualifications"] = sorted(set(qualifications))
    stmt = insert(volunteers).values(person_id=person_id, qualifications=values.pop(
        "qualifications", []), **values)
    set_ = dict(values)
    if qualifications is not None:
        set_["qualifications"] = stmt.excluded.qualifications
    uow.execute(stmt.on_conflict_do_update(index_elements=[volunteers.c.person_id], set_=set_,
                                           where=volunteers.c.as_of <= as_of))
    note_volunteers(uow, [person_id])


def change_qualification(uow, person_id: str, kind: str, held: bool) -> None:
    row = uow.execute(select(volunteers.c.qualifications).where(
        volunteers.c.person_id == person_id).with_for_update()).first()
    if row is None:
        return  # not (yet) eligible: the kinds come with volunteer_eligible
    kinds = set(row.qualifications)
    kinds = kinds | {kind} if held else kinds - {kind}
    uow.execute(update(volunteers).where(volunteers.c.person_id == person_id)
                .values(qualifications=sorted(kinds)))
    note_volunteers(uow, [person_id])


def save_preferences(uow, person_id: str, prefs: dict, now: dt.datetime) -> None:
    home = prefs["home"]
    values = {"home_lat": home["lat"], "home_lng": home["lng"],
              "cell": geo.cell_of(home["lat"], home["lng"]), "radius_km": prefs["radius_km"],
              "availability": prefs["availability"], "updated_at": now}
    uow.execute(insert(volunteer_preferences).values(person_id=person_id, **values)
                .on_conflict_do_update(index_elements=[volunteer_preferences.c.person_id],
                                       set_=values))
    note_volunteers(uow, [person_id])


def get_preferences(uow, person_id: str) -> dict | None:
    row = uow.execute(select(volunteer_preferences).where(
        volunteer_preferences.c.person_id == person_id)).first()
    if row is None:
        return None
    return {"home": {"lat": row.home_lat, "lng": row.home_lng}, "radius_km": row.radius_km,
            "availability": row.availability}


# --- assignments and history --------------------------------------------------------------------
def add_assignment(uow, demand_id, volunteer_id, window_start, window_end) -> None:
    uow.execute(insert(assignments).values(demand_id=demand_id, volunteer_id=volunteer_id,
                                           window_start=window_start, window_end=window_end)
                .on_conflict_do_nothing())
    note_volunteers(uow, [volunteer_id])


def end_assignment(uow, demand_id: str, volunteer_id: str | None = None) -> None:
    stmt = delete(assignments).where(assignments.c.demand_id == demand_id)
    if volunteer_id:
        stmt = stmt.where(assignments.c.volunteer_id == volunteer_id)
    note_volunteers(uow, list(uow.execute(stmt.returning(assignments.c.volunteer_id)).scalars()))


def add_history(uow, volunteer_id: str, **increments) -> None:
    base = {"completed": 0, "no_shows": 0, "rating_sum": 0.0, "rating_count": 0}
    base.update(increments)
    t = volunteer_history
    uow.execute(insert(t).values(volunteer_id=volunteer_id, **base).on_conflict_do_update(
        index_elements=[t.c.volunteer_id],
        set_={k: getattr(t.c, k) + v for k, v in increments.items()}))
    note_volunteers(uow, [volunteer_id])


def add_minutes(uow, volunteer_id: str, at: dt.datetime, minutes: int) -> None:
    month = at.astimezone(SHANGHAI).strftime("%Y-%m")
    t = monthly_minutes
    uow.execute(insert(t).values(volunteer_id=volunteer_id, month=month, minutes=minutes)
                .on_conflict_do_update(index_elements=[t.c.volunteer_id, t.c.month],
                                       set_={"minutes": t.c.minutes + minutes}))
    note_volunteers(uow, [volunteer_id])


def minutes_of_month(uow, now: dt.datetime) -> dict[str, int]:
    """Minutes served this month (Shanghai), by volunteer."""
    month = now.astimezone(SHANGHAI).strftime("%Y-%m")
    t = monthly_minutes
    return dict(uow.execute(select(t.c.volunteer_id, t.c.minutes).where(t.c.month == month))
                .all())


def note_good_rating(uow, elder_id: str, volunteer_id: str) -> None:
    uow.execute(insert(good_ratings).values(elder_id=elder_id, volunteer_id=volunteer_id)
                .on_conflict_do_nothing())
    note_volunteers(uow, [volunteer_id])


def note_priority_elder(uow, elder_id: str) -> None:
    uow.execute(insert(priority_elders).values(elder_id=elder_id).on_conflict_do_nothing())
    note_demands_of_elder(uow, elder_id)


# --- match inputs -------------------------------------------------------------------------------
def _demand(row, priority: bool) -> DemandToMatch:
    return DemandToMatch(row.demand_id, row.elder_id, row.location_lat, row.location_lng,
                         row.window_start, row.window_end, frozenset(row.qualifications or ()),
                         row.open_slots, priority, row.published_at, row.category,
                         row.region_code, row.expected_minutes)


def _priority_query():
    return select(open_demands, priority_elders.c.elder_id.is_not(None).label("priority")) \
        .select_from(open_demands.outerjoin(
            priority_elders, priority_elders.c.elder_id == open_demands.c.elder_id))


def demand_to_match(uow, demand_id: str):
    """(row, DemandToMatch or None when the demand has no location)."""
    row = uow.execute(_priority_query().where(open_demands.c.demand_id == demand_id)).first()
    if row is None:
        return None, None
    if row.location_lat is None:
        return row, None
    return row, _demand(row, row.priority)


def open_demands_to_match(uow, ids: set[str] | None = None) -> list[DemandToMatch]:
    """Open demands with a place (those of ``ids``, or all), for the in-memory view."""
    stmt = _priority_query().where(open_demands.c.location_lat.is_not(None),
                                   open_demands.c.open_slots > 0)
    if ids is not None:
        if not ids:
            return []
        stmt = stmt.where(open_demands.c.demand_id == any_(
            bindparam("ids", sorted(ids), type_=ARRAY(String))))
    return [_demand(r, r.priority) for r in uow.execute(stmt).all()]


def demands_to_dispatch(uow, region_code: str, now: dt.datetime) -> list[DemandToMatch]:
    rows = uow.execute(_priority_query().where(
        within(open_demands.c.region_code, prefix_of(region_code)),
        open_demands.c.window_start > now, open_demands.c.open_slots > 0,
        open_demands.c.location_lat.is_not(None)).order_by(open_demands.c.demand_id)).all()
    return [_demand(r, r.priority) for r in rows]


def all_volunteers(uow, now: dt.datetime, page: int = 20_000) -> Iterator[list[Volunteer]]:
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


def volunteers_by_ids(uow, ids: set[str], now: dt.datetime) -> list[Volunteer]:
    """These volunteers, if eligible and with a home."""
    return volunteers_near(uow, None, now, only=sorted(ids)) if ids else []


def volunteers_near(uow, points: list[tuple[float, float]] | None, now: dt.datetime,
                    only: list[str] | None = None, after: str | None = None,
                    limit: int | None = None) -> list[Volunteer]:
    """Eligible volunteers with a home within MAX_RADIUS_KM of any point (grid cells), in id
    order, with their assignments, history, minutes this month and the elders who rated them
    well. For a single point, only those whose own radius reaches it (a flat-earth bound with
    0.5 % to spare; the exact check is the index's). ``points`` and ``only`` None: everyone
    (``after`` an id, up to ``limit`` of them).
    Lists travel as one array parameter each; hours and kinds arrive as JSON text, parsed
    once per distinct value (most volunteers share a few)."""
    p, v, h, m = volunteer_preferences, volunteers, volunteer_history, monthly_minutes
    month = now.astimezone(SHANGHAI).strftime("%Y-%m")
    stmt = (select(p.c.person_id, p.c.home_lat, p.c.home_lng, p.c.radius_km,
                   cast(p.c.availability, Text).label("availability"),
                   cast(v.c.qualifications, Text).label("qualifications"), h.c.completed,
                   h.c.no_shows, h.c.rating_sum, h.c.rating_count, m.c.minutes)
            .select_from(p.join(v, and_(v.c.person_id == p.c.person_id, v.c.eligible.is_(True)))
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
    busy: dict[str, list] = {}
    stmt = select(assignments.c.volunteer_id, assignments.c.window_start,
                  assignments.c.window_end).where(assignments.c.window_end > now)
    for a in uow.execute(stmt if everyone else
                         stmt.where(assignments.c.volunteer_id == any_(ids))):
        busy.setdefault(a.volunteer_id, []).append((a.window_start, a.window_end))
    rated: dict[str, set] = {}
    stmt = select(good_ratings.c.volunteer_id, good_ratings.c.elder_id)
    for g in uow.execute(stmt if everyone else
                         stmt.where(good_ratings.c.volunteer_id == any_(ids))):
        rated.setdefault(g.volunteer_id, set()).add(g.elder_id)
    masks: dict[str, int] = {}
    kinds: dict[str, frozenset] = {}
    out = []
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


def count_volunteers(uow) -> int:
    return uow.execute(select(func.count()).select_from(volunteers)).scalar_one()


__all__ = ["GOOD_RATING"]


def category_requirements_of(uow, codes: set[str]) -> dict[str, list[str]]:
    rows = uow.execute(select(category_requirements).where(
        category_requirements.c.code.in_(sorted(codes)))).all()
    return {r.code: r.qualifications for r in rows}


def save_catalogue(uow, categories: list[dict]) -> None:
    for c in categories:
        uow.execute(insert(category_requirements).values(
            code=c["code"], qualifications=list(c.get("qualifications") or []))
            .on_conflict_do_update(index_elements=[category_requirements.c.code],
                                   set_={"qualifications": list(c.get("qualifications") or [])}))
