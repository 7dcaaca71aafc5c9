"""SQL of claiming, withdrawals, no-shows and reliability (in a unit of work's session)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from timebank_common.db import within

from ..contracts.enums import (
    ASSIGNED,
    AWAITING_RECORD,
    IN_SERVICE,
    NO_SHOW,
    PUBLISHED,
    RECORDED,
    WITHDRAWN,
)
from ..domain.lifecycle import ENDED_ASSIGNMENT, EXPIRABLE
from .tables import assignments, demands


def no_show_candidates(uow, due_before: dt.datetime, limit: int) -> list[str]:
    """Ids of demands with an assignment nobody checked in for, whose window started before
    ``due_before``; rows another process is handling are skipped (SKIP LOCKED)."""
    rows = uow.execute(
        select(demands.c.id)
        .where(demands.c.status.in_([PUBLISHED, ASSIGNED, IN_SERVICE]),
               demands.c.window_start <= due_before,
               demands.c.id.in_(select(assignments.c.demand_id)
                                .where(assignments.c.status == ASSIGNED)))
        .order_by(demands.c.window_start).limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    return [str(r.id) for r in rows]


def expiry_candidates(uow, now: dt.datetime, limit: int) -> list[str]:
    """Ids of demands still ``submitted`` or ``published`` whose window ended by ``now`` with
    no volunteer on them (``Demand.expiry_due``, re-checked under the lock); rows another
    process is handling are skipped (SKIP LOCKED). ``window_start <= now`` lets the
    ``demands(status, window_start)`` index bound the scan to demands already begun."""
    d = demands.c
    rows = uow.execute(
        select(d.id)
        .where(d.status.in_(sorted(EXPIRABLE)), d.window_start <= now, d.window_end <= now,
               ~select(assignments.c.id)
               .where(assignments.c.demand_id == d.id,
                      assignments.c.status.not_in(sorted(ENDED_ASSIGNMENT)))
               .exists())
        .order_by(d.window_start).limit(limit)
        .with_for_update(of=demands, skip_locked=True)
    ).all()
    return [str(r.id) for r in rows]


def reliability_of(uow, volunteer_ids: list[str]) -> dict[str, dict]:
    """Per volunteer: assignments taken, completed (recorded), withdrawn, no-shows."""
    found = {v: {"volunteer_id": v, "assigned": 0, "completed": 0, "withdrawn": 0,
                 "no_shows": 0} for v in volunteer_ids}
    if not volunteer_ids:
        return found
    c = assignments.c
    rows = uow.execute(
        select(c.volunteer_id, func.count(),
               func.count().filter(c.status == RECORDED),
               func.count().filter(c.status == WITHDRAWN),
               func.count().filter(c.status == NO_SHOW))
        .where(c.volunteer_id.in_(volunteer_ids)).group_by(c.volunteer_id)).all()
    for volunteer_id, assigned, completed, withdrawn, no_shows in rows:
        found[volunteer_id].update(assigned=assigned, completed=completed,
                                   withdrawn=withdrawn, no_shows=no_shows)
    return found


def no_show_figures(uow, region_prefix: str | None, start: dt.datetime | None,
                    end: dt.datetime | None) -> dict:
    """For demand statistics: ``{no_shows, withdrawals, no_show_rate}`` of the assignments on
    demands of a region prefix whose window starts in ``[start, end)``; the rate is no-shows
    over assignments that reached their start (not withdrawn), None when there are none."""
    c = assignments.c
    where = []
    if region_prefix:
        where.append(within(demands.c.region_code, region_prefix))
    if start is not None:
        where.append(demands.c.window_start >= start)
    if end is not None:
        where.append(demands.c.window_start < end)
    row = uow.execute(
        select(func.count().filter(c.status == NO_SHOW),
               func.count().filter(c.status == WITHDRAWN),
               func.count().filter(c.status.in_([IN_SERVICE, AWAITING_RECORD, RECORDED,
                                                 NO_SHOW])))
        .select_from(assignments.join(demands, demands.c.id == c.demand_id)).where(*where)
    ).one()
    no_shows, withdrawals, started = row
    return {"no_shows": no_shows, "withdrawals": withdrawals,
            "no_show_rate": round(no_shows / started, 4) if started else None}


def set_reservation_status(uow, assignment_id: str, status: str | None,
                           note: str | None) -> None:
    uow.execute(assignments.update().where(assignments.c.id == assignment_id)
                .values(reservation_status=status, reservation_note=note))


def reservation_status_of(uow, assignment_id: str, lock: bool = False):
    query = select(assignments.c.reservation_status).where(assignments.c.id == assignment_id)
    if lock:
        query = query.with_for_update()
    return uow.execute(query).first()
