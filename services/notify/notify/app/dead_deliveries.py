"""Dead deliveries (internal: operators inspect them, and replay one once its cause is
fixed)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import NotFound

from ..adapters import delivery_repository as deliveries
from . import ids


def list_dead(db: UnitOfWorkFactory, limit: int = 100) -> list[Mapping[str, Any]]:
    """The most recent dead deliveries (at most 1,000)."""
    with db() as uow:
        return [r._mapping for r in deliveries.dead_deliveries(uow, max(1, min(int(limit),
                                                                                1000)))]


def replay(db: UnitOfWorkFactory, delivery_id: object, now: dt.datetime) -> dict[str, Any]:
    """A dead delivery back to ``pending`` (attempts from zero), due now."""
    delivery = ids.delivery_id(delivery_id)
    with db() as uow:
        replayed = deliveries.replay_delivery(uow, delivery, now)
        uow.commit()
    if not replayed:
        raise NotFound("dead_delivery_not_found", "没有这条失败的投递",
                       "No such dead delivery")
    return {"delivery_id": delivery, "status": "pending"}
