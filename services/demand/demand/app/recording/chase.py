"""Records the elder never confirmed in the app: after ``CONFIRMATION_DAYS`` each is reported
once (``record_confirmation_overdue``, audit ``confirmation_overdue``) and a follow-up task is
opened for the station to call the elder (closed by itself once someone confirms). There are
no hours until someone confirms; nothing expires automatically."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from timebank_common.db import UnitOfWorkFactory

from ...adapters import evaluation_repository as evaluations
from ...adapters import recording_repository as records
from ...contracts import FOLLOW_UP_OPENED, RECORD_CONFIRMATION_OVERDUE
from ...domain.recording import confirmation_overdue
from .confirm import CONFIRMATION_CALL

OVERDUE_BATCH = 200


def chase_confirmations(db: UnitOfWorkFactory, days: int, now: dt.datetime) -> dict[str, Any]:
    """``{reported}``: how many records were reported overdue now."""
    reported = 0
    with db() as uow:
        for row in records.overdue_unconfirmed(uow, now - dt.timedelta(days=days),
                                               OVERDUE_BATCH):
            if not confirmation_overdue(records.state_of(row), row["recorded_at"], now, days):
                continue
            records.update(uow, row["record_id"], overdue_reported_at=now)
            records.audit(uow, row["record_id"], "confirmation_overdue", None, now)
            uow.emit(RECORD_CONFIRMATION_OVERDUE, row, row["region_code"])
            task = {"follow_up_id": str(uuid.uuid4()), "kind": CONFIRMATION_CALL,
                    "record_id": row["record_id"], "demand_id": row["demand_id"],
                    "volunteer_id": row["volunteer_id"], "elder_id": row["elder_id"],
                    "region_code": row["region_code"], "status": "open",
                    "opened_at": now}
            evaluations.insert_follow_up(uow, task)
            uow.emit(FOLLOW_UP_OPENED, {**task, "carrier_id": row.get("carrier_id")},
                     row["region_code"])
            reported += 1
        uow.commit()
    return {"reported": reported}
