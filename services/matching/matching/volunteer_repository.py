"""SQL of the volunteer read model, preferences, history, and the loading of match inputs."""
from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import (
    BigInteger,
    String,
    and_,
    any_,
    bindparam,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, insert

from timebank_common.regions import prefix_of

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
    volunteer_changes,
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
    note_changed(uow, [person_id])


def change_qualification(uow, person_id: str, kind: str, held: bool) -> None:
    row = uow.execute(select(volunteers.c.qualifications).where(
        volunteers.c.person_id == person_id).with_for_update()).first()
    if row is None:
        return  # not (yet) eligible: the kinds come with volunteer_eligible
    kinds = set(row.qualifications)
    kinds = kinds | {kind} if held else kinds - {kind}
    uow.execute(update(volunteers).where(volunteers.c.person_id == person_id)
                .values(qualifications=sorted(kinds)))
    note_changed(uow, [person_id])


def save_preferences(uow, person_id: str, prefs: dict, now: dt.datetime) -> None:
    home = prefs["home"]
    values = {"home_lat": home["lat"], "home_lng": home["lng"],
              "cell": geo.cell_of(home["lat"], home["lng"]), "radius_km": prefs["radius_km"],
              "availability": prefs["availability"], "updated_at": now}
    uow.execute(insert(volunteer_preferences).values(person_id=person_id, **values)
                .on_conflict_do_update(index_elements=[volunteer_preferences.c.person_id],
                                       set_=values))
    note_changed(uow, [person_id])


def get_preferences(uow, person_id: str) -> dict | None:
    row = uow.execute(select(volunteer_preferences).where(
        volunteer_preferences.c.person_id == person_id)).first()
    if row is None:
        return None
    return {"home": {"lat": row.home_lat, "lng": row.home_lng}, "radius_km": row.radius_km,
            "availability": row.availability}


# --- change log (for the per-process index) ---------------------------------------------------
EVERYONE = "*"


def note_changed(uow, person_ids: list[str]) -> None:
    if person_ids:
        uow.execute(insert(volunteer_changes), [{"person_id": p} for p in person_ids])


LATE_COMMIT_WINDOW = 1000  # seqs below the base's that may still have been uncommitted then


def snapshot(uow) -> tuple[int, str]:
    """(latest seq, the current snapshot) — taken before a base index is loaded."""
    seq = uow.execute(select(func.coalesce(func.max(volunteer_changes.c.seq), 0))).scalar_one()
    return seq, uow.execute(text("SELECT pg_current_snapshot()::text")).scalar_one()


def changed_since(uow, seq: int, snap: str) -> set[str]:
    """Volunteers whose changes the snapshot ``snap`` (taken at ``seq``) did not see: later
    seqs, and lower ones whose transaction had not committed yet."""
    rows = uow.execute(text(
        "SELECT person_id FROM volunteer_changes WHERE seq > :low AND NOT "
        "pg_visible_in_snapshot(txid::xid8, CAST(:snap AS pg_snapshot))"),
        {"low": seq - LATE_COMMIT_WINDOW, "snap": snap}).scalars()
    return set(rows)


# --- assignments and history --------------------------------------------------------------------
def add_assignment(uow, demand_id, volunteer_id, window_start, window_end) -> None:
    uow.execute(insert(assignments).values(demand_id=demand_id, volunteer_id=volunteer_id,
                                           window_start=window_start, window_end=window_end)
                .on_conflict_do_nothing())
    note_changed(uow, [volunteer_id])


def end_assignment(uow, demand_id: str, volunteer_id: str | None = None) -> None:
    stmt = delete(assignments).where(assignments.c.demand_id == demand_id)
    if volunteer_id:
        stmt = stmt.where(assignments.c.volunteer_id == volunteer_id)
    note_changed(uow, list(uow.execute(stmt.returning(assignments.c.volunteer_id)).scalars()))


def add_history(uow, volunteer_id: str, **increments) -> None:
    base = {"completed": 0, "no_shows": 0, "rating_sum": 0.0, "rating_count": 0}
    base.update(increments)
    t = volunteer_history
    uow.execute(insert(t).values(volunteer_id=volunteer_id, **base).on_conflict_do_update(
        index_elements=[t.c.volunteer_id],
        set_={k: getattr(t.c, k) + v for k, v in increments.items()}))
    note_changed(uow, [volunteer_id])


def add_minutes(uow, volunteer_id: str, at: dt.datetime, minutes: int) -> None:
    month = at.astimezone(SHANGHAI).strftime("%Y-%m")
    t = monthly_minutes
    uow.execute(insert(t).values(volunteer_id=volunteer_id, month=month, minutes=minutes)
                .on_conflict_do_update(index_elements=[t.c.volunteer_id, t.c.month],
                                       set_={"minutes": t.c.minutes + minutes}))
    note_changed(uow, [volunteer_id])


def note_good_rating(uow, elder_id: str, volunteer_id: str) -> None:
    uow.execute(insert(good_ratings).values(elder_id=elder_id, volunteer_id=volunteer_id)
                .on_conflict_do_nothing())
    note_changed(uow, [volunteer_id])


def note_priority_elder(uow, elder_id: str) -> None:
    uow.execute(insert(priority_elders).values(elder_id=elder_id).on_conflict_do_nothing())


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


def demands_to_dispatch(uow, region_code: str, now: dt.datetime) -> list[DemandToMatch]:
    rows = uow.execute(_priority_query().where(
        open_demands.c.region_code.startswith(prefix_of(region_code)),
        open_demands.c.window_start > now, open_demands.c.open_slots > 0,
        open_demands.c.location_lat.is_not(None)).order_by(open_demands.c.demand_id)).all()
    return [_demand(r, r.priority) for r in rows]


def all_volunteers(uow, now: dt.datetime) -> list[Volunteer]:
    """Every eligible volunteer with a home (the per-process index's base)."""
    return volunteers_near(uow, None, now)


def volunteers_by_ids(uow, ids: set[str], now: dt.datetime) -> list[Volunteer]:
    """These volunteers, if eligible and with a home."""
    return volunteers_near(uow, None, now, only=sorted(ids)) if ids else []


def volunteers_near(uow, points: list[tuple[float, float]] | None, now: dt.datetime,
                    only: list[str] | None = None) -> list[Volunteer]:
    """Eligible volunteers with a home within MAX_RADIUS_KM of any point (grid cells), in id
    order, with their assignments, history, minutes this month and the elders who rated them
    well. For a single point, only those whose own radius reaches it (a flat-earth bound with
    0.5 % to spare; the exact check is the index's). Lists travel as one array parameter each."""
    p, v, h, m = volunteer_preferences, volunteers, volunteer_history, monthly_minutes
    month = now.astimezone(SHANGHAI).strftime("%Y-%m")
    stmt = (select(p.c.person_id, p.c.home_lat, p.c.home_lng, p.c.radius_km, p.c.availability,
                   v.c.qualifications, h.c.completed, h.c.no_shows, h.c.rating_sum,
                   h.c.rating_count, m.c.minutes)
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
    rows = uow.execute(stmt.order_by(p.c.person_id)).all()
    if not rows:
        return []
    ids = bindparam("ids", [r.person_id for r in rows], type_=ARRAY(String))
    busy: dict[str, list] = {}
    for a in uow.execute(select(assignments).where(assignments.c.volunteer_id == any_(ids),
                                                   assignments.c.window_end > now)):
        busy.setdefault(a.volunteer_id, []).append((a.window_start, a.window_end))
    rated: dict[str, set] = {}
    for g in uow.execute(select(good_ratings).where(good_ratings.c.volunteer_id == any_(ids))):
        rated.setdefault(g.volunteer_id, set()).add(g.elder_id)
    masks: dict[str, int] = {}
    out = []
    for r in rows:
        key = str(r.availability) if r.availability else ""
        if key not in masks:
            masks[key] = mask_of_windows(r.availability)
        out.append(Volunteer(
            r.person_id, r.home_lat, r.home_lng, r.radius_km, frozenset(r.qualifications),
            masks[key], tuple(sorted(busy.get(r.person_id, ()))), r.completed or 0,
            r.no_shows or 0, r.rating_sum or 0.0, r.rating_count or 0, r.minutes or 0,
            frozenset(rated.get(r.person_id, ()))))
    return out


def count_volunteers(uow) -> int:
    return uow.execute(select(func.count()).select_from(volunteers)).scalar_one()


__all__ = ["GOOD_RATING"]


def volunteer_by_id(uow, person_id: str, now: dt.datetime) -> Volunteer | None:
    """The volunteer as matching sees them, when eligible and with a home set."""
    home = uow.execute(select(volunteer_preferences.c.home_lat, volunteer_preferences.c.home_lng)
                       .where(volunteer_preferences.c.person_id == person_id)).first()
    if home is None:
        return None
    near = volunteers_near(uow, [(home.home_lat, home.home_lng)], now)
    return next((v for v in near if v.person_id == person_id), None)


def demands_within(uow, lat: float, lng: float, radius_km: float, now: dt.datetime,
                   within_scope: str | None) -> list[DemandToMatch]:
    """Open demands with a place inside the bounding box of the disc (exact check by caller)."""
    dlat = radius_km / geo.KM_PER_DEG_LAT
    dlng = radius_km / (geo.KM_PER_DEG_LAT * max(0.1, math.cos(math.radians(abs(lat) + dlat))))
    o = open_demands
    stmt = _priority_query().where(o.c.window_start > now, o.c.open_slots > 0,
                                   o.c.location_lat.between(lat - dlat, lat + dlat),
                                   o.c.location_lng.between(lng - dlng, lng + dlng))
    if within_scope:
        stmt = stmt.where(o.c.region_code.startswith(prefix_of(within_scope)))
    return [_demand(r, r.priority) for r in uow.execute(stmt.limit(5000)).all()]


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
