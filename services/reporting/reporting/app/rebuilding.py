"""Rebuilding the read model from scratch: empty the facts and service days, then replay the
archive in (occurred_at, event_id) order, in batches, all in one transaction. ``TRUNCATE``
locks both tables until the commit, so live handlers and readers wait for the new figures
(never see half of them), and an event a live handler committed before is in the archive
the rebuild replays."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.db import UnitOfWorkFactory

from ..adapters import elder_repository, fact_repository
from .absorbing import apply

BATCH = 2000


def rebuild(db: UnitOfWorkFactory, batch: int = BATCH) -> dict[str, Any]:
    """Replays every archived event; returns how many and when the newest occurred."""
    events = 0
    after: tuple[dt.datetime, str] | None = None
    with db() as uow:
        fact_repository.truncate_model(uow)
        elder_repository.truncate(uow)  # the elder service days and categories (0006)
        while True:
            rows = fact_repository.archived(uow, after, batch)
            if not rows:
                break
            apply(uow, [row.envelope for row in rows])
            events += len(rows)
            after = (rows[-1].occurred_at, rows[-1].event_id)
        uow.commit()
    return {"events": events, "newest": after[0] if after else None}
