"""Keeping the change log short."""
from __future__ import annotations

from timebank_common.db import UnitOfWorkFactory

from ..adapters import change_log
from ..adapters.index_cache import CHANGE_LOG_KEPT


def prune_change_log(db: UnitOfWorkFactory) -> None:
    """Drop change-log rows older than a day (every process caught up long since)."""
    with db() as uow:
        change_log.prune(uow, CHANGE_LOG_KEPT)
        uow.commit()
