"""SQL of the open-demand read model: demands published and not yet filled, closed or
started, and the latest open-slot count heard for each (from demand's events)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork, within
from timebank_common.regions import prefix_of

from ..domain.city_feed import OpenDemand
from .change_log import note_demands
from .tables import open_demands, slot_counts


def lock_demand(uow: UnitOfWork, demand_id: str) -> None:
    """Serialize this transaction with others about the same demand (until it ends).

    Publication and assignment events arrive on different queues and may be handled
    at the same moment; without the lock each could miss the other's effect.
    """
    uow.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(demand_id, 0))))


def known_open_slots(uow: UnitOfWork, demand_id: str) -> int | None:
    known: int | None = uow.execute(
        select(slot_counts.c.open_slots).where(slot_counts.c.demand_id == demand_id)
    ).scalar_one_or_none()
    return known


def add_open_demand(uow: UnitOfWork, row: dict[str, Any]) -> None:
    """Insert a published demand; a second publication of the same demand changes nothing."""
    uow.execute(insert(open_demands).values(**row).on_conflict_do_nothing())
    note_demands(uow, [row["demand_id"]])


def note_open_slots(uow: UnitOfWork, demand_id: str, open_slots: int, as_of: dt.datetime) -> bool:
    """Remember the slot count unless a later one is known; True if this one is now current."""
    stmt = (
        insert(slot_counts)
        .values(demand_id=demand_id, open_slots=open_slots, as_of=as_of)
        .on_conflict_do_update(
            index_elements=[slot_counts.c.demand_id],
            set_={"open_slots": open_slots, "as_of": as_of},
            where=slot_counts.c.as_of <= as_of,
        )
        .returning(slot_counts.c.demand_id)
    )
    return uow.execute(stmt).first() is not None


def set_open_slots(uow: UnitOfWork, demand_id: str, open_slots: int) -> None:
    if open_slots <= 0:
        uow.execute(delete(open_demands).where(open_demands.c.demand_id == demand_id))
    else:
        uow.execute(update(open_demands).where(open_demands.c.demand_id == demand_id)
                    .values(open_slots=open_slots))
    note_demands(uow, [demand_id])


def feed_candidates(uow: UnitOfWork, home_unit: str | None, within_scope: str | None, now: dt.datetime,
                    limit: int) -> list[OpenDemand]:
    """Up to ``limit`` open demands from the home unit and up to ``limit`` from elsewhere.

    ``within_scope`` (a scope code) restricts the rows to that region, for staff callers.
    """
    base = select(open_demands).where(open_demands.c.window_start > now,
                                      open_demands.c.open_slots > 0)
    if within_scope:
        base = base.where(within(open_demands.c.region_code, prefix_of(within_scope)))
    base = base.order_by(open_demands.c.window_start).limit(limit)
    rows: list[Any] = []
    if home_unit:
        rows += uow.execute(base.where(open_demands.c.city_unit == home_unit)).all()
        rows += uow.execute(base.where(open_demands.c.city_unit != home_unit)).all()
    else:
        rows += uow.execute(base).all()
    return [OpenDemand(r.demand_id, r.region_code, r.category, r.window_start, r.window_end,
                       r.expected_minutes, r.open_slots, r.published_at) for r in rows]
