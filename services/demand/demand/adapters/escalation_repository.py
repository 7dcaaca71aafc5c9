"""SQL of review escalations: one row per demand escalated to its township for want of
review (primary key ``demand_id``). In a unit of work's session."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import within

from ..contracts.enums import SUBMITTED
from .rows import utc
from .tables import demand_escalations, demands


def escalate_overdue(uow, due_before: dt.datetime, now: dt.datetime, limit: int) -> list[dict]:
    """Open one escalation for each demand still ``submitted`` since before ``due_before``
    and never escalated. The primary key makes a second process's insert a no-op; only the
    rows this transaction inserted are returned (its events to emit)."""
    d = demands.c
    candidates = (
        select(d.id, d.region_code, d.carrier_id, d.created_at)
        .where(d.status == SUBMITTED, d.created_at <= due_before,
               ~select(demand_escalations.c.demand_id)
               .where(demand_escalations.c.demand_id == d.id).exists())
        .order_by(d.created_at).limit(limit)
    ).subquery()
    township = func.rpad(func.substr(candidates.c.region_code, 1, 9), 12, "0")
    statement = insert(demand_escalations).from_select(
        ["demand_id", "region_code", "township_code", "carrier_id", "submitted_at",
         "escalated_at"],
        select(candidates.c.id, candidates.c.region_code, township, candidates.c.carrier_id,
               candidates.c.created_at,
               func.cast(now, demand_escalations.c.escalated_at.type)),  # type: ignore[arg-type]
    ).on_conflict_do_nothing(index_elements=["demand_id"]).returning(*demand_escalations.c)
    return [_escalation(r) for r in uow.execute(statement).mappings()]


def _escalation(r) -> dict:
    return {"demand_id": str(r["demand_id"]), "region_code": r["region_code"],
            "township_code": r["township_code"], "carrier_id": r["carrier_id"],
            "submitted_at": utc(r["submitted_at"]), "escalated_at": utc(r["escalated_at"]),
            "closed_at": utc(r["closed_at"]), "closed_reason": r["closed_reason"]}


def close_escalation(uow, demand_id: str, reason: str, at: dt.datetime | None) -> None:
    e = demand_escalations.c
    uow.execute(demand_escalations.update()
                .where(e.demand_id == demand_id, e.closed_at.is_(None))
                .values(closed_at=at, closed_reason=reason))


def escalations_in(uow, region_prefix: str, include_closed: bool, limit: int) -> list[dict]:
    e = demand_escalations.c
    query = (select(demand_escalations).where(within(e.region_code, region_prefix))
             .order_by(e.escalated_at, e.demand_id).limit(limit))
    if not include_closed:
        query = query.where(e.closed_at.is_(None))
    return [_escalation(r) for r in uow.execute(query).mappings()]


def escalation_of(uow, demand_id: str) -> dict | None:
    row = uow.execute(select(demand_escalations)
                      .where(demand_escalations.c.demand_id == demand_id)).mappings().first()
    return _escalation(row) if row is not None else None
