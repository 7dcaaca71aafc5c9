"""SQL of recording timeliness: the services checked out and waiting for their record, and
the ``recording_overdue`` rows (one per assignment and level). In a unit of work's session."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import within

from ..contracts.enums import AWAITING_RECORD
from ..domain.timeliness import TOWNSHIP
from .rows import utc
from .tables import assignments, demands, recording_overdue


def unrecorded(uow, checked_out_before: dt.datetime, after: tuple[dt.datetime, str] | None,
               limit: int) -> list[dict]:
    """Services checked out before ``checked_out_before``, still waiting for their record and
    not yet reported to the township, oldest first after the cursor ``after``
    (checked_out_at, assignment id). Their assignment rows are taken FOR UPDATE SKIP LOCKED:
    one another process holds (or a recording under way) is skipped, never waited for."""
    a, d, o = assignments.c, demands.c, recording_overdue.c
    query = (
        select(a.id, a.demand_id, a.volunteer_id, a.checked_out_at, d.elder_id, d.region_code,
               d.carrier_id,
               select(func.array_agg(o.level)).where(o.assignment_id == a.id)
               .scalar_subquery().label("levels"))
        .join(demands, d.id == a.demand_id)
        .where(a.status == AWAITING_RECORD, a.checked_out_at <= checked_out_before,
               ~select(o.assignment_id).where(o.assignment_id == a.id, o.level == TOWNSHIP)
               .exists())
        .order_by(a.checked_out_at, a.id).limit(limit)
        .with_for_update(of=assignments, skip_locked=True))
    if after is not None:
        query = query.where(tuple_(a.checked_out_at, a.id) > tuple_(*after))
    return [{"assignment_id": str(r.id), "demand_id": str(r.demand_id),
             "volunteer_id": r.volunteer_id, "elder_id": r.elder_id,
             "region_code": r.region_code, "carrier_id": r.carrier_id,
             "checked_out_at": utc(r.checked_out_at), "levels": frozenset(r.levels or ())}
            for r in uow.execute(query)]


def report(uow, service: dict, level: str, due_at: dt.datetime, now: dt.datetime) -> bool:
    """One row for this assignment and level; False when it was there already (another
    process reported it: the primary key)."""
    inserted = uow.execute(insert(recording_overdue).values(
        assignment_id=service["assignment_id"], level=level, demand_id=service["demand_id"],
        region_code=service["region_code"], carrier_id=service["carrier_id"],
        checked_out_at=service["checked_out_at"], due_at=due_at, escalated_at=now,
    ).on_conflict_do_nothing().returning(recording_overdue.c.level)).first()
    return inserted is not None


def overdue_of(uow, demand_id: str) -> list[dict]:
    """The reports made about a demand's services, oldest first (shown with the demand)."""
    o, a = recording_overdue.c, assignments.c
    rows = uow.execute(
        select(a.volunteer_id, o.level, o.checked_out_at, o.due_at, o.escalated_at)
        .join(assignments, a.id == o.assignment_id).where(o.demand_id == demand_id)
        .order_by(o.escalated_at, o.level)).mappings()
    return [{"volunteer_id": r["volunteer_id"], "level": r["level"],
             "checked_out_at": utc(r["checked_out_at"]), "due_at": utc(r["due_at"]),
             "escalated_at": utc(r["escalated_at"])} for r in rows]


def overdue_counts(uow, region_prefix: str, start: dt.datetime | None,
                   end: dt.datetime | None) -> dict[str, int]:
    """Reports per level of a region prefix, escalated in ``[start, end)``."""
    o = recording_overdue.c
    query = select(o.level, func.count()).where(within(o.region_code, region_prefix))
    if start is not None:
        query = query.where(o.escalated_at >= start)
    if end is not None:
        query = query.where(o.escalated_at < end)
    return {level: n for level, n in uow.execute(query.group_by(o.level)).all()}
