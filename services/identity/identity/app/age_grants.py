"""高龄 (advanced age) granted by rule: ``elder_priority_granted`` with ``advanced_age`` and
``verified_by`` null, exactly once per elder — in the registration of an elder already 80 or
older (``grant_advanced_age`` in that unit of work), otherwise by the daily sweep
(``grant_advanced_ages``) on the day the elder turns 80 (the policy grants from that month).
The mark on the elder's profile is written in the transaction that emits, so a second
process or a second sweep finds nothing to do. Elders who left, withdrew or died are not
granted (they are when they come back)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.clock import china_date
from timebank_common.db import UnitOfWork, UnitOfWorkFactory

from ..adapters import persons
from ..contracts import ADVANCED_AGE, ELDER_PRIORITY_GRANTED
from ..domain.priority import born_by_for_advanced_age


def grant_advanced_age(uow: UnitOfWork, person_id: Any, region_code: str,
                       now: dt.datetime) -> bool:
    """Emit the grant unless it was already; whether it was emitted now."""
    if not persons.mark_advanced_age_granted(uow, person_id, now):
        return False
    uow.emit(ELDER_PRIORITY_GRANTED, {"person_id": str(person_id), "category": ADVANCED_AGE,
                                      "region_code": region_code, "verified_by": None},
             region_code)
    return True


def grant_advanced_ages(db: UnitOfWorkFactory, now: dt.datetime,
                        batch_size: int = 500) -> dict[str, Any]:
    """Every active elder 80 or older today (China date) not yet granted, a batch per
    transaction (rows SKIP LOCKED: several processes share the work). Idempotent."""
    born_by, granted = born_by_for_advanced_age(china_date(now)), 0
    while True:
        with db() as uow:
            batch = persons.take_elders_of_age(uow, born_by, batch_size)
            granted += sum(grant_advanced_age(uow, e["id"], e["region_code"], now)
                           for e in batch)
            uow.commit()
        if len(batch) < batch_size:
            return {"granted": granted, "born_on_or_before": born_by.isoformat()}
