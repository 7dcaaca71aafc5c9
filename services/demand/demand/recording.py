"""Recording a volunteer's service, in the caller's unit of work: the evidence flags, the
record row, its audit, and the ONE place ``service_recorded`` is emitted
(``publish_record``)."""
from __future__ import annotations

import datetime as dt
import uuid

from timebank_common.clock import china_date
from timebank_common.periods import day_bounds

from . import payments, schemas
from . import recording_repository as records
from . import repository as repo
from .domain import evidence, rules
from .domain.lifecycle import Assignment, Demand, not_assigned
from .domain.recording import PHONE, Record
from .recording_schemas import RecordHeldEvent


def publish_record(uow, demand: Demand, assignment: Assignment, record: dict,
                   now: dt.datetime) -> None:
    """Give a confirmed, not held record to the ledger: ``service_recorded`` via the outbox,
    once (the record is marked sent in the same transaction)."""
    state = records.state_of(record)
    state.mark_sent(now)
    records.save_state(uow, record, state)
    records.audit(uow, record["record_id"], "sent", None, now)
    uow.emit("service_recorded", schemas.ServiceRecordedEvent().dump(
        payments.on_recorded(uow, assignment, record)), demand.region_code)


def send_if_ready(uow, demand: Demand, record: dict, now: dt.datetime) -> None:
    if records.state_of(record).ready_to_send:
        assignment = next(a for a in demand.assignments if a.id == record["assignment_id"])
        publish_record(uow, demand, assignment, record, now)


def evidence_flags(uow, demand: Demand, assignment: Assignment, minutes: int, related: bool,
                   now: dt.datetime) -> list[dict]:
    """Every flag the evidence raises, with the region's thresholds on the service date."""
    served_at = assignment.checked_in_at or now
    day = china_date(served_at)
    limits = evidence.thresholds_for(records.policy_rows(uow, demand.region_code),
                                     demand.region_code, day)
    start, end = day_bounds(day, day)
    ev = evidence.Evidence(
        minutes=minutes, expected_minutes=demand.expected_minutes,
        checked_in_at=assignment.checked_in_at, checked_out_at=assignment.checked_out_at,
        check_in_location=assignment.check_in_location, demand_location=demand.location,
        related=related,
        other_windows=tuple(records.other_windows(uow, assignment.volunteer_id, assignment.id)),
        minutes_that_day=records.minutes_between(uow, assignment.volunteer_id, start, end))
    return [flag.to_dict() for flag in evidence.flags_for(ev, limits)]


def record_one(uow, demand: Demand, volunteer_id: str, data: dict, related: bool,
               by: str | None, now: dt.datetime) -> dict:
    """Record one volunteer's service on a locked demand (a repeat returns the first record).
    ``data``: minutes, confirmation, confirmed_by, confirmed_at, note."""
    assignment = demand.assignment_of(volunteer_id)
    if assignment is None:
        raise not_assigned(volunteer_id)
    existing = records.of_assignment(uow, assignment.id)
    if existing is not None:
        return existing
    rules.validate_recorded_minutes(data["minutes"])
    demand.mark_recorded(assignment.volunteer_id)
    repo.lock_key(uow, "volunteer", assignment.volunteer_id)  # one daily total at a time
    flags = evidence_flags(uow, demand, assignment, data["minutes"], related, now)
    record = {
        "record_id": str(uuid.uuid4()), "assignment_id": assignment.id, "demand_id": demand.id,
        "volunteer_id": assignment.volunteer_id,
        "volunteer_region_code": assignment.volunteer_region_code,
        "elder_id": demand.elder_id, "category": demand.category,
        "minutes": data["minutes"], "confirmation": None, "note": data["note"],
        "funding_source": demand.funding_source, "region_code": demand.region_code,
        "carrier_id": demand.carrier_id, "recorded_by": by, "recorded_at": now, "flags": flags,
    }
    state = Record(record["record_id"], data["minutes"], flags)
    if data["confirmation"] == PHONE:
        state.confirm(PHONE, data["confirmed_by"], by, data["confirmed_at"] or now)
    record.update(records.columns_of(state))
    records.insert(uow, record)
    records.audit(uow, record["record_id"], "recorded", by, now,
                  details={"minutes": data["minutes"], "flags": [f["code"] for f in flags]})
    if state.confirmed_at is not None:
        records.audit(uow, record["record_id"], "confirmed", by, now,
                      details={"confirmation": PHONE, "confirmed_by": state.confirmed_by,
                               "confirmed_at": state.confirmed_at.isoformat()})
    if state.held:
        uow.emit("record_held", RecordHeldEvent().dump(record), demand.region_code)
    elif state.ready_to_send:
        publish_record(uow, demand, assignment, record, now)
    return record
