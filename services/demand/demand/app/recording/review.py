"""The second look at a held record (operators/admins in scope): ``release`` (the evidence
checked; not by whoever recorded it) or ``reject`` (a reason required: no hours, ever). Both
are in the record's audit and announced as ``record_reviewed``. Starting from a record, the
lock order is kept: the record read to learn its demand, the demand locked, the record
locked and read again (``lock_record_and_demand``)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import NotFound

from ...adapters import demand_repository as repo
from ...adapters import recording_repository as records
from ...contracts import RECORD_REVIEWED
from ...domain.payments import RELEASE_REJECTED
from .. import completion, payments
from ..lookup import require_reach, uuid_or_404
from .publish import send_if_ready
from .reads import record_view


def record_id_of(value: Any) -> str:
    return uuid_or_404(value, "record_not_found", "服务记录不存在", "No such service record")


def record_not_found(record_id: str) -> NotFound:
    return NotFound("record_not_found", "服务记录不存在", "No such service record",
                    {"record_id": record_id})


def release_record(db: UnitOfWorkFactory, caller: Caller, record_id: Any,
                   data: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """Evidence checked: the held record may go to the ledger (once confirmed)."""
    return _review(db, caller, record_id, data, now, "release")


def reject_record(db: UnitOfWorkFactory, caller: Caller, record_id: Any,
                  data: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """Evidence refused: no hours for this record, ever (a reason is required)."""
    return _review(db, caller, record_id, data, now, "reject")


def _review(db: UnitOfWorkFactory, caller: Caller, record_id: Any, data: dict[str, Any],
            now: dt.datetime, action: str) -> dict[str, Any]:
    caller.require(*STATION_STAFF)
    record_id = record_id_of(record_id)
    with db() as uow:
        locked = repo.lock_record_and_demand(uow, record_id)  # the demand first
        if locked is None:
            raise record_not_found(record_id)
        demand, row = locked
        require_reach(caller, row["region_code"], record_not_found(record_id))
        state = records.state_of(row)
        if action == "release":
            state.release(caller.person_id, now, data["reason"], row["recorded_by"])
        else:
            state.reject(caller.person_id, now, data["reason"])
            payments.on_record_dropped(uow, demand, row, RELEASE_REJECTED)
        records.save_state(uow, row, state)
        if action == "reject":  # the others may all be evaluated already
            completion.follow_evaluations(uow, demand)
        records.audit(uow, record_id, "released" if action == "release" else "rejected",
                      caller.person_id, now, state.review_reason)
        uow.emit(RECORD_REVIEWED, row, row["region_code"])
        send_if_ready(uow, demand, row, now)
        uow.commit()
    return record_view(db, row)
