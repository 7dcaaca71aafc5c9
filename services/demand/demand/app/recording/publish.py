"""The ONE place ``service_recorded`` is emitted: a confirmed, not held record goes to the
ledger, once (the record is marked sent in the same transaction)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from ...adapters import recording_repository as records
from ...contracts import SERVICE_RECORDED
from ...domain.lifecycle import Assignment, Demand
from .. import payments


def publish_record(uow, demand: Demand, assignment: Assignment, record: dict[str, Any],
                   now: dt.datetime) -> None:
    """Give a confirmed, not held record to the ledger: ``service_recorded`` via the outbox,
    with the reservation the ledger is to post."""
    state = records.state_of(record)
    state.mark_sent(now)
    records.save_state(uow, record, state)
    records.audit(uow, record["record_id"], "sent", None, now)
    uow.emit(SERVICE_RECORDED, {**payments.on_recorded(uow, assignment, record),
                                "fallback_reason": demand.fallback_reason,
                                "started_at": assignment.checked_in_at,
                                "ended_at": assignment.checked_out_at},
             demand.region_code)


def send_if_ready(uow, demand: Demand, record: dict[str, Any], now: dt.datetime) -> None:
    if records.state_of(record).ready_to_send:
        assignment = next(a for a in demand.assignments if a.id == record["assignment_id"])
        publish_record(uow, demand, assignment, record, now)
