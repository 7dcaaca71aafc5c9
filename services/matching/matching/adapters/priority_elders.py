"""SQL of the elders whose demands weigh more (priority elders, from identity's grants and
demand's publications)."""
from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork

from .change_log import note_demands_of_elder
from .tables import priority_elders


def note_priority_elder(uow: UnitOfWork, elder_id: str) -> None:
    uow.execute(insert(priority_elders).values(elder_id=elder_id).on_conflict_do_nothing())
    note_demands_of_elder(uow, elder_id)
