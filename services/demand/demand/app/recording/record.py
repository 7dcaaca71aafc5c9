"""The station records a volunteer's actual minutes (operators/admins in scope): the evidence
flags (``domain/evidence.py``: a flagged record is held for a second look), the record row
and its audit; with a confirmation taken by phone the record goes to the ledger at once.
A repeat returns the first record. A group activity records each volunteer in their own
transaction: one failing volunteer is listed in ``failed`` and does not block the others."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.clock import Clock, china_date
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import DomainError, Unavailable
from timebank_common.periods import day_bounds

from ...adapters import demand_repository as repo
from ...adapters import evidence_policy_repository as policies
from ...adapters import recording_repository as records
from ...adapters.identity import IdentityClient
from ...contracts import RECORD_HELD, GroupRecordOut, RecordOut
from ...domain import evidence, rules
from ...domain.lifecycle import Assignment, Demand, not_assigned
from ...domain.recording import PHONE, Record
from ..lookup import demand_id as checked_demand_id
from ..lookup import demand_not_found, require_found, require_reach
from .publish import publish_record


def elder_of(db: UnitOfWorkFactory, demand_id: str) -> str:
    """The demand's elder (read without a lock, to ask identity before the transaction)."""
    with db() as uow:
        return require_found(repo.get_demand(uow, demand_id), demand_id).elder_id


def evidence_flags(uow, demand: Demand, assignment: Assignment, minutes: int, related: bool,
                   now: dt.datetime) -> list[dict[str, Any]]:
    """Every flag the evidence raises, with the region's thresholds on the service date."""
    served_at = assignment.checked_in_at or now
    day = china_date(served_at)
    limits = evidence.thresholds_for(policies.policy_rows(uow, demand.region_code),
                                     demand.region_code, day)
    start, end = day_bounds(day, day)
    assert start is not None and end is not None and assignment.id is not None
    ev = evidence.Evidence(
        minutes=minutes, expected_minutes=demand.expected_minutes,
        checked_in_at=assignment.checked_in_at, checked_out_at=assignment.checked_out_at,
        check_in_location=assignment.check_in_location, demand_location=demand.location,
        related=related,
        other_windows=_overlapping(uow, assignment),
        minutes_that_day=records.minutes_between(uow, assignment.volunteer_id, start, end),
        check_out_location=assignment.check_out_location,
        check_in_device_at=assignment.check_in_device_at,
        check_out_device_at=assignment.check_out_device_at,
        window_start=demand.window_start, window_end=demand.window_end)
    return [flag.to_dict() for flag in evidence.flags_for(ev, limits)]


def _overlapping(uow, assignment: Assignment) -> tuple[tuple, ...]:
    """The volunteer's other records whose presence overlaps this one's (none to look for
    without a check-in and a check-out: the overlap rule then raises nothing)."""
    if assignment.checked_in_at is None or assignment.checked_out_at is None:
        return ()
    assert assignment.id is not None
    return tuple(records.overlapping_windows(uow, assignment.volunteer_id, assignment.id,
                                             assignment.checked_in_at,
                                             assignment.checked_out_at))


def record_one(uow, demand: Demand, volunteer_id: str, data: dict[str, Any], related: bool,
               by: str | None, now: dt.datetime) -> dict[str, Any]:
    """Record one volunteer's service on a locked demand (a repeat returns the first record).
    ``data``: minutes, confirmation, confirmed_by, confirmed_at, note."""
    assignment = demand.assignment_of(volunteer_id)
    if assignment is None:
        raise not_assigned(volunteer_id)
    assert assignment.id is not None  # saved
    existing = records.of_assignment(uow, assignment.id)
    if existing is not None:
        return existing
    rules.validate_recorded_minutes(data["minutes"])
    rules.validate_confirmed_at(data.get("confirmed_at"), now)
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
        "corrected_minutes": None,
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
        uow.emit(RECORD_HELD, record, demand.region_code)
    elif state.ready_to_send:
        publish_record(uow, demand, assignment, record, now)
    return record


def _record_volunteer(db: UnitOfWorkFactory, caller: Caller, demand_id: str,
                      volunteer_id: str, data: dict[str, Any], related: bool,
                      now: dt.datetime) -> dict[str, Any]:
    with db() as uow:
        demand = require_found(repo.get_demand(uow, demand_id, lock=True), demand_id)
        require_reach(caller, demand.region_code, demand_not_found(demand_id))
        record = record_one(uow, demand, volunteer_id, data, related, caller.person_id, now)
        repo.save_demand(uow, demand)
        uow.commit()
    return record


def record(db: UnitOfWorkFactory, caller: Caller, demand_id: Any, data: dict[str, Any],
           clock: Clock, identity: IdentityClient) -> dict[str, Any]:
    """One volunteer's record (status ``held``, ``awaiting_confirmation`` or ``sent``)."""
    caller.require(*STATION_STAFF)
    demand_id = checked_demand_id(demand_id)
    related = identity.are_direct_relatives(data["volunteer_id"], elder_of(db, demand_id))
    made: dict[str, Any] = RecordOut().dump(
        _record_volunteer(db, caller, demand_id, data["volunteer_id"], data, related,
                          clock.now()))
    return made


def record_group(db: UnitOfWorkFactory, caller: Caller, demand_id: Any, data: dict[str, Any],
                 clock: Clock, identity: IdentityClient) -> dict[str, Any]:
    """A group activity: each entry is recorded on its own (its own transaction, at its own
    time): ``{recorded, failed}``."""
    caller.require(*STATION_STAFF)
    demand_id = checked_demand_id(demand_id)
    elder_id = elder_of(db, demand_id)
    recorded, failed = [], []
    for entry in data["entries"]:
        one = {**data, **entry}
        try:
            related = identity.are_direct_relatives(entry["volunteer_id"], elder_id)
            recorded.append(_record_volunteer(db, caller, demand_id, entry["volunteer_id"],
                                              one, related, clock.now()))
        except Unavailable:
            raise
        except DomainError as error:
            if error.code in ("out_of_scope", "demand_not_found"):
                raise  # about the demand, not this volunteer
            failed.append({"volunteer_id": entry["volunteer_id"], "error": error.to_body()})
    outcome: dict[str, Any] = GroupRecordOut().dump({"recorded": recorded, "failed": failed})
    return outcome
