"""SQL of the elders whose demands weigh more (priority elders, from identity's grants and
revocations of hardship categories)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork

from .change_log import note_demands_of_elder
from .tables import priority_categories, priority_elders


def note_category(uow: UnitOfWork, elder_id: str, category: str, held: bool,
                  as_of: dt.datetime) -> None:
    """A category granted or revoked (unless a later word on it was applied already); the
    elder is a priority elder while any of their known categories is held. An elder whose
    categories matching never heard (priority from before they were kept) stays one until a
    revocation says otherwise or the read models are rebuilt."""
    stmt = insert(priority_categories).values(elder_id=elder_id, category=category,
                                              held=held, as_of=as_of)
    uow.execute(stmt.on_conflict_do_update(
        index_elements=[priority_categories.c.elder_id, priority_categories.c.category],
        set_={"held": held, "as_of": as_of},
        where=priority_categories.c.as_of <= as_of))
    still = uow.execute(select(priority_categories.c.category).where(
        priority_categories.c.elder_id == elder_id, priority_categories.c.held.is_(True))
        .limit(1)).first()
    if still is not None:
        uow.execute(insert(priority_elders).values(elder_id=elder_id).on_conflict_do_nothing())
    else:
        uow.execute(delete(priority_elders).where(priority_elders.c.elder_id == elder_id))
    note_demands_of_elder(uow, elder_id)
