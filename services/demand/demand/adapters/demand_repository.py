"""SQL of the demand aggregate: a demand with its assignments, its adjustments, the service's
lock order, the lists, and the internal listings for matching and the ledger. In a unit of
work's session."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import and_, false, func, or_, select, text

from timebank_common.db import within

from ..contracts.enums import ASSIGNED, CANCELLED, REJECTED
from ..domain.access import Visibility
from ..domain.lifecycle import ACTIVE_ASSIGNMENT, CANCELLABLE, Assignment, Demand
from . import recording_repository as records
from .rows import location, location_columns, utc
from .tables import assignments, demand_changes, demands, service_categories, service_records

_DEMAND_FIELDS = (
    "elder_id", "category", "description", "address", "window_start", "window_end",
    "expected_minutes", "volunteers_needed", "channel", "status", "region_code", "carrier_id",
    "submitted_by", "funding_source", "funding_chosen_by", "fallback_reason",
    "funding_available_minutes", "funding_shortfall_minutes", "reviewed_by", "reviewed_at", "reject_reason",
    "cancelled_by", "cancelled_at", "cancel_reason", "created_at",
)


# --- locks -----------------------------------------------------------------------
# THE LOCK ORDER of the demand service (README "Lock order"). A transaction takes its locks
# in this order, skipping what it does not need, and never an earlier one after a later one:
#
#   1. a series row (``demand_series``: cancel_series, series generation);
#   2. the demand row (``get_demand(lock=True)``);
#   3. advisory locks of an elder or a volunteer (``lock_key``);
#   4. the demand's own rows: assignments, service records, then evaluations, disputes and
#      follow-ups.
#
# So a command that starts from a record or a dispute reads it WITHOUT a lock to learn its
# demand, locks the demand, and only then locks (and re-reads) the record and the dispute:
# ``lock_record_and_demand``. Several demands in one transaction only under their series'
# lock (cancel_series) or taken with SKIP LOCKED (the no-show sweep), which never waits.
# Outside the demand's lock a transaction holds at most one row of level 4 and waits for
# nothing else while holding it (the ledger's reservation replies: one assignment; taking
# or commenting a dispute: one dispute; closing a follow-up: one follow-up), or takes its
# rows with SKIP LOCKED (the confirmation chase): none of these can close a cycle.
# A dispute resolved while its record is reviewed once locked the record, then the demand,
# against the review's demand, then record: PostgreSQL aborted one of them (40P01).
def lock_key(uow, kind: str, key: str) -> None:
    """Serialise commands about one elder or volunteer until the transaction ends (level 3
    of the lock order above: after the demand row)."""
    uow.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"{kind}:{key}"})


def lock_record_and_demand(uow, record_id: str) -> tuple[Demand, dict] | None:
    """A service record and its demand, both locked in the lock order: the record is read
    without a lock to learn its demand, the demand is locked, then the record is locked and
    read again (what it says now is what counts). None when there is no such record."""
    found = records.get(uow, record_id)
    if found is None:
        return None
    demand = get_demand(uow, found["demand_id"], lock=True)
    record = records.get(uow, record_id, lock=True)
    if demand is None or record is None:  # never: neither is ever deleted
        return None
    return demand, record


# --- demands -----------------------------------------------------------------------
def _demand_from(row, assignment_rows) -> Demand:
    values = {name: row[name] for name in _DEMAND_FIELDS}
    for name in ("window_start", "window_end", "reviewed_at", "cancelled_at", "created_at"):
        values[name] = utc(values[name])
    demand = Demand(id=str(row["id"]), location=location(row["location_lat"], row["location_lng"]),
                    **values)
    demand.assignments = [
        Assignment(
            id=str(a["id"]), volunteer_id=a["volunteer_id"],
            volunteer_region_code=a["volunteer_region_code"], assigned_by=a["assigned_by"],
            assigned_at=utc(a["assigned_at"]), status=a["status"],
            checked_in_at=utc(a["checked_in_at"]),
            check_in_location=location(a["check_in_lat"], a["check_in_lng"]),
            checked_out_at=utc(a["checked_out_at"]),
            check_out_location=location(a["check_out_lat"], a["check_out_lng"]),
            check_in_device_at=utc(a["check_in_device_at"]),
            check_out_device_at=utc(a["check_out_device_at"]),
            ended_at=utc(a["ended_at"]), end_reason=a["end_reason"],
            reservation_status=a["reservation_status"], reservation_note=a["reservation_note"],
        )
        for a in assignment_rows
    ]
    return demand


def _assignments_of(uow, demand_ids) -> dict[str, list]:
    found: dict[str, list] = {str(i): [] for i in demand_ids}
    if demand_ids:
        rows = uow.execute(
            select(assignments).where(assignments.c.demand_id.in_(list(demand_ids)))
            .order_by(assignments.c.assigned_at)
        ).mappings()
        for row in rows:
            found[str(row["demand_id"])].append(row)
    return found


def get_demand(uow, demand_id: str, lock: bool = False) -> Demand | None:
    """The demand, its row locked (FOR UPDATE) when ``lock``; assignments read after the lock.
    Locking it is level 2 of the lock order (above): before any of its records, assignments,
    evaluations, disputes, and before ``lock_key``."""
    query = select(demands).where(demands.c.id == demand_id)
    if lock:
        query = query.with_for_update()
    row = uow.execute(query).mappings().first()
    if row is None:
        return None
    return _demand_from(row, _assignments_of(uow, [demand_id])[demand_id])


def insert_demand(uow, demand: Demand) -> None:
    """A new demand; ``created_at`` is its submission time (the clock's, given by the use
    case: escalation and statistics count from it)."""
    values = {name: getattr(demand, name) for name in _DEMAND_FIELDS}
    uow.execute(demands.insert().values(id=demand.id, **values,
                                        **location_columns("location", demand.location)))


def save_demand(uow, demand: Demand) -> None:
    """Write the demand's lifecycle fields and upsert its assignments.

    An assignment's ``reservation_status`` / ``reservation_note`` are written only on insert
    and by ``assignment_repository.set_reservation_status``: the ledger's reply sets them
    without the demand's row lock (``app/payments.on_reply``), so writing back what this
    transaction read would undo a reply that committed meanwhile (a lost update)."""
    uow.execute(
        demands.update().where(demands.c.id == demand.id).values(
            status=demand.status, funding_source=demand.funding_source,
            fallback_reason=demand.fallback_reason,
            funding_available_minutes=demand.funding_available_minutes,
            funding_shortfall_minutes=demand.funding_shortfall_minutes,
            reviewed_by=demand.reviewed_by, reviewed_at=demand.reviewed_at,
            reject_reason=demand.reject_reason, cancelled_by=demand.cancelled_by,
            cancelled_at=demand.cancelled_at, cancel_reason=demand.cancel_reason,
            updated_at=func.now(),
        )
    )
    for a in demand.assignments:
        values = dict(
            status=a.status, checked_in_at=a.checked_in_at, checked_out_at=a.checked_out_at,
            check_in_device_at=a.check_in_device_at, check_out_device_at=a.check_out_device_at,
            ended_at=a.ended_at, end_reason=a.end_reason,
            **location_columns("check_in", a.check_in_location),
            **location_columns("check_out", a.check_out_location),
        )
        if a.id is None:
            a.id = str(uuid.uuid4())
            uow.execute(assignments.insert().values(
                id=a.id, demand_id=demand.id, volunteer_id=a.volunteer_id,
                volunteer_region_code=a.volunteer_region_code, assigned_by=a.assigned_by,
                assigned_at=a.assigned_at, reservation_status=a.reservation_status,
                reservation_note=a.reservation_note, **values))
        else:
            uow.execute(assignments.update().where(assignments.c.id == a.id).values(**values))


def live_same_category(uow, elder_id: str, category: str, window_start: dt.datetime,
                       window_end: dt.datetime):
    """(id, window_start, window_end) of the elder's not cancelled/rejected demands of a kind
    whose window overlaps ``[window_start, window_end)`` (``rules.overlaps``): only those can
    be a duplicate. The elder's past demands (recorded, evaluated: kept for life) are never
    read, so a submission costs the same for an elder served a thousand times."""
    return uow.execute(
        select(demands.c.id, demands.c.window_start, demands.c.window_end).where(
            demands.c.elder_id == elder_id, demands.c.category == category,
            demands.c.status.notin_([CANCELLED, REJECTED]),
            demands.c.window_start < window_end, demands.c.window_end > window_start,
        )
    ).all()


def open_demand_ids_of_elder(uow, elder_id: str) -> list[str]:
    """The elder's demands not yet under way (submitted, published, assigned), by id (the
    order several of them are locked in)."""
    return [str(i) for i in uow.execute(
        select(demands.c.id).where(demands.c.elder_id == elder_id,
                                   demands.c.status.in_(sorted(CANCELLABLE)))
        .order_by(demands.c.id)).scalars()]


def demand_ids_awaiting_volunteer(uow, volunteer_id: str) -> list[str]:
    """The demands where the volunteer holds an assignment not yet started, by id."""
    return [str(i) for i in uow.execute(
        select(assignments.c.demand_id).where(assignments.c.volunteer_id == volunteer_id,
                                              assignments.c.status == ASSIGNED)
        .order_by(assignments.c.demand_id)).scalars()]


def active_windows_of(uow, volunteer_id: str, except_demand: str):
    """(demand_id, window_start, window_end) of the volunteer's other active assignments."""
    return uow.execute(
        select(demands.c.id, demands.c.window_start, demands.c.window_end)
        .select_from(assignments.join(demands, demands.c.id == assignments.c.demand_id))
        .where(assignments.c.volunteer_id == volunteer_id,
               assignments.c.status.in_(list(ACTIVE_ASSIGNMENT)),
               demands.c.status != CANCELLED, demands.c.id != except_demand)
    ).all()


# --- adjustments: the demand's content and its history -----------------------------------
def save_content(uow, demand: Demand) -> None:
    """Write the adjustable content of a demand (the fields an operator may adjust)."""
    uow.execute(demands.update().where(demands.c.id == demand.id).values(
        description=demand.description, address=demand.address,
        **location_columns("location", demand.location),
        window_start=demand.window_start, window_end=demand.window_end,
        expected_minutes=demand.expected_minutes, volunteers_needed=demand.volunteers_needed,
        category=demand.category, updated_at=func.now()))


def insert_changes(uow, demand_id: str, changes: list[dict], reason: str, by: str | None,
                   at: dt.datetime) -> None:
    for change in changes:
        uow.execute(demand_changes.insert().values(
            id=str(uuid.uuid4()), demand_id=demand_id, field=change["field"],
            before=change["before"], after=change["after"], reason=reason, changed_by=by,
            changed_at=at))


def changes_of(uow, demand_id: str) -> list[dict]:
    rows = uow.execute(select(demand_changes).where(demand_changes.c.demand_id == demand_id)
                       .order_by(demand_changes.c.changed_at, demand_changes.c.field)).mappings()
    return [{"field": r["field"], "before": r["before"], "after": r["after"],
             "reason": r["reason"], "changed_by": r["changed_by"],
             "changed_at": utc(r["changed_at"])} for r in rows]


# --- lists ---------------------------------------------------------------------------------
def _visible(visibility: Visibility):
    clauses = []
    if visibility.region_prefix is not None:
        clauses.append(within(demands.c.region_code, visibility.region_prefix))
    if visibility.elder_id:
        clauses.append(demands.c.elder_id == visibility.elder_id)
    if visibility.acts_for:  # a proxy: the elders they act for
        clauses.append(demands.c.elder_id.in_(sorted(visibility.acts_for)))
    if visibility.volunteer_id:
        clauses.append(demands.c.id.in_(
            select(assignments.c.demand_id)
            .where(assignments.c.volunteer_id == visibility.volunteer_id)))
    if visibility.published_prefix:
        clauses.append(and_(demands.c.status == "published",
                            within(demands.c.region_code, visibility.published_prefix)))
    return or_(*clauses) if clauses else false()  # false: a proxy who acts for nobody now


def list_demands(uow, visibility: Visibility, status: str | None, region_prefix: str | None,
                 page: int, page_size: int, category: str | None = None
                 ) -> tuple[list[Demand], int]:
    where = [_visible(visibility)]
    if status:
        where.append(demands.c.status == status)
    if category:
        where.append(demands.c.category == category)
    if region_prefix:
        where.append(within(demands.c.region_code, region_prefix))
    total = uow.execute(select(func.count()).select_from(demands).where(*where)).scalar_one()
    rows = uow.execute(
        select(demands).where(*where).order_by(demands.c.created_at.desc(), demands.c.id)
        .limit(page_size).offset((page - 1) * page_size)
    ).mappings().all()
    by_demand = _assignments_of(uow, [str(r["id"]) for r in rows])
    return [_demand_from(r, by_demand[str(r["id"])]) for r in rows], total


# --- internal: the ledger's reconciliation ------------------------------------------------
def service_record_rows(uow, region_prefix: str | None, start: dt.datetime | None,
                        end: dt.datetime | None, record_ids: list[str] | None,
                        after: str | None, limit: int) -> list[dict[str, Any]]:
    """Service records (the fields reconciliation needs) ordered by record id, from ``after``
    (exclusive); ``[start, end)`` on ``recorded_at``."""
    c = service_records.c
    conditions = []
    if region_prefix:
        conditions.append(within(c.region_code, region_prefix))
    if start is not None:
        conditions.append(c.recorded_at >= start)
    if end is not None:
        conditions.append(c.recorded_at < end)
    if record_ids is not None:
        conditions.append(c.record_id.in_(record_ids))
    if after is not None:
        conditions.append(c.record_id > after)
    rows = uow.execute(
        select(c.record_id, c.demand_id, c.volunteer_id, c.minutes, c.recorded_at, c.region_code)
        .where(*conditions).order_by(c.record_id).limit(limit)).all()
    return [{"record_id": str(r.record_id), "demand_id": str(r.demand_id),
             "volunteer_id": r.volunteer_id, "minutes": r.minutes,
             "recorded_at": utc(r.recorded_at), "region_code": r.region_code} for r in rows]


# --- internal: matching's rebuild -----------------------------------------------------
MATCHING_STATUSES = ("published", "assigned", "in_service")


def matching_demand_rows(uow, after: str | None, limit: int, now: dt.datetime
                         ) -> list[dict[str, Any]]:
    """Demands still ahead or under way (published, assigned, in service; window not over), by
    id, with their category's qualifications, open slots and active assignments."""
    stmt = (select(demands, service_categories.c.qualifications.label("qualifications"))
            .join(service_categories, service_categories.c.code == demands.c.category)
            .where(demands.c.status.in_(MATCHING_STATUSES), demands.c.window_end > now)
            .order_by(demands.c.id).limit(limit))
    if after:
        stmt = stmt.where(demands.c.id > after)
    rows = [dict(r) for r in uow.execute(stmt).mappings()]
    active: dict[str, list[str]] = {}
    if rows:
        for a in uow.execute(select(assignments.c.demand_id, assignments.c.volunteer_id).where(
                assignments.c.demand_id.in_([r["id"] for r in rows]),
                assignments.c.status.in_(list(ACTIVE_ASSIGNMENT)))
                .order_by(assignments.c.assigned_at)):
            active.setdefault(a.demand_id, []).append(a.volunteer_id)
    out = []
    for r in rows:
        taken = active.get(r["id"], [])
        out.append({
            "demand_id": r["id"], "elder_id": r["elder_id"], "category": r["category"],
            "region_code": r["region_code"], "window_start": utc(r["window_start"]),
            "window_end": utc(r["window_end"]), "expected_minutes": r["expected_minutes"],
            "volunteers_needed": r["volunteers_needed"],
            "open_slots": max(r["volunteers_needed"] - len(taken), 0)
            if r["status"] == "published" else 0,
            "location": location(r["location_lat"], r["location_lng"]),
            "qualifications": list(r["qualifications"] or []),
            "published_at": utc(r["reviewed_at"] or r["created_at"]),
            "volunteer_ids": taken})
    return out
