"""Qualifications about to expire: identity has no "expiring soon" event, so notify asks
identity once a day (a missed day loses nothing: every verified qualification running out
within the window that was not told yet)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.db import UnitOfWorkFactory

from ..adapters.identity import Identity
from ..domain import messages
from .notifying import notify


def check_qualifications(db: UnitOfWorkFactory, identity: Identity, now: dt.datetime,
                         days: int = 30) -> dict[str, Any]:
    """Tell each volunteer whose verified qualification runs out within ``days``, once per
    qualification (the message is unique per qualification). Without identity:
    ``Unavailable``."""
    items = identity.qualifications_expiring(days)
    told = 0
    with db() as uow:
        for item in items:
            source = f"qualification-expiring:{item['qualification_id']}"
            told += notify(uow, messages.qualification_expiring(item), source, now) is not None
        uow.commit()
    return {"checked": len(items), "notified": told}
