"""Disputes (item 9): opened by the elder, the volunteer or the station about a service
record or an evaluation; handled by township-level staff; every step in ``dispute_steps``.
The outcome reaches the ledger durably: ``dispute_resolved`` from demand's outbox, applied
by the ledger's inbox-de-duplicated handler (reversal entries, idempotent by dispute id).
A record not yet sent to the ledger is corrected here, before it ever is."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import Conflict, Forbidden, NotFound
from timebank_common.regions import prefix_of

from ..adapters import demand_repository as repo
from ..adapters import dispute_repository as dispute_rows
from ..adapters import evaluation_repository as evaluations
from ..adapters import recording_repository as records
from ..contracts import (
    DISPUTE_OPENED,
    DISPUTE_RESOLVED,
    OPEN,
    SENT,
    UPHELD,
    VOIDED,
    DisputeOut,
    DisputePageOut,
)
from ..domain import access
from ..domain import disputes as rules
from ..domain.lifecycle import Demand
from ..domain.payments import RELEASE_VOIDED
from . import completion, payments
from .lookup import uuid_or_404


def _dispute_id(value: Any) -> str:
    return uuid_or_404(value, "dispute_not_found", "争议不存在", "No such dispute")


def _not_found(kind: str, value: Any) -> NotFound:
    names = {"record": ("服务记录不存在", "No such service record"),
             "evaluation": ("评价不存在", "No such evaluation"),
             "dispute": ("争议不存在", "No such dispute")}
    zh, en = names[kind]
    return NotFound(f"{kind}_not_found", zh, en, {f"{kind}_id": str(value)})


def _is_party(caller: Caller, dispute: dict[str, Any]) -> bool:
    return bool(caller.person_id) and caller.person_id in (
        dispute["elder_id"], dispute["volunteer_id"], dispute["opened_by"])


def _may_see(caller: Caller, dispute: dict[str, Any]) -> bool:
    return (caller.has(*access.READ_ALL_ROLES) and caller.covers(dispute["region_code"])) \
        or _is_party(caller, dispute)


def _view(uow, dispute: dict[str, Any] | None) -> dict[str, Any]:
    assert dispute is not None  # read back in the transaction that wrote it
    steps = dispute_rows.steps_of(uow, [dispute["dispute_id"]])[dispute["dispute_id"]]
    view: dict[str, Any] = DisputeOut().dump({**dispute, "steps": steps})
    return view


def open_dispute(db: UnitOfWorkFactory, caller: Caller, data: dict[str, Any],
                 now: dt.datetime) -> dict[str, Any]:
    """About a record (``record_id``) or an evaluation (``evaluation_id``), with a reason;
    one dispute per record or evaluation (a second is refused with the first's id)."""
    with db() as uow:
        if data["evaluation_id"]:
            subject, subject_id = "evaluation", str(data["evaluation_id"])
            found = evaluations.get_evaluation(uow, subject_id)
            if found is None:
                raise _not_found("evaluation", subject_id)
            record_id = found["record_id"]
        else:
            subject, record_id = "record", str(data["record_id"])
            subject_id = record_id
        # one opening at a time: the record locked, its demand first (the lock order)
        locked = repo.lock_record_and_demand(uow, record_id)
        if locked is None:
            raise _not_found("record", record_id)
        _, record = locked
        if not _may_see(caller, {**record, "opened_by": None}):
            raise _not_found(subject, subject_id)  # out of reach: as if it did not exist
        role = rules.opener_role(caller, rules.Parties(
            record["elder_id"], record["volunteer_id"], record["region_code"]))
        first = dispute_rows.dispute_about(uow, subject, subject_id)
        if first is not None:
            raise Conflict("already_disputed", "已有关于此事项的争议",
                           "There is already a dispute about this",
                           {"dispute_id": first["dispute_id"], "status": first["status"]})
        dispute = {
            "dispute_id": str(uuid.uuid4()), "subject": subject, "subject_id": subject_id,
            "record_id": record_id, "demand_id": record["demand_id"],
            "elder_id": record["elder_id"], "volunteer_id": record["volunteer_id"],
            "region_code": record["region_code"], "opened_by": caller.person_id or "",
            "opener_role": role, "reason": rules.check_reason(data["reason"]),
            "status": OPEN, "opened_at": now}
        dispute_rows.insert_dispute(uow, dispute)
        dispute_rows.add_step(uow, dispute["dispute_id"], "opened", caller.person_id, now,
                              dispute["reason"], {"opener_role": role, "subject": subject})
        uow.emit(DISPUTE_OPENED, dispute, dispute["region_code"])
        uow.commit()
        return _view(uow, dispute_rows.get_dispute(uow, dispute["dispute_id"]))


def list_disputes(db: UnitOfWorkFactory, caller: Caller, query: dict[str, Any]
                  ) -> dict[str, Any]:
    """Staff: disputes in their scope; the elder/volunteer: their own. Filters: status,
    subject, region_code, demand_id."""
    if caller.has(*access.READ_ALL_ROLES) and caller.scope:
        visible = dispute_rows.in_scope(prefix_of(caller.scope))
    elif caller.person_id:
        visible = dispute_rows.of_party(caller.person_id)
    else:
        raise Forbidden("role_required", "您的角色无权查看争议",
                        "Your role does not allow viewing disputes")
    filters = {"status": query["status"], "subject": query["subject"],
               "demand_id": query["demand_id"],
               "region_prefix": prefix_of(query["region_code"]) if query["region_code"]
               else None}
    with db() as uow:
        items, total = dispute_rows.list_disputes(uow, visible, filters, query["page"],
                                                  query["page_size"])
        steps = dispute_rows.steps_of(uow, [d["dispute_id"] for d in items])
    page: dict[str, Any] = DisputePageOut().dump({
        "items": [{**d, "steps": steps[d["dispute_id"]]} for d in items], "total": total,
        "page": query["page"], "page_size": query["page_size"]})
    return page


def get_dispute(db: UnitOfWorkFactory, caller: Caller, dispute_id: Any) -> dict[str, Any]:
    dispute_id = _dispute_id(dispute_id)
    with db() as uow:
        dispute = dispute_rows.get_dispute(uow, dispute_id)
        if dispute is None or not _may_see(caller, dispute):
            raise _not_found("dispute", dispute_id)  # never reveal what is out of scope
        return _view(uow, dispute)


def take_dispute(db: UnitOfWorkFactory, caller: Caller, dispute_id: Any,
                 data: dict[str, Any] | None, now: dt.datetime) -> dict[str, Any]:
    """A township-level handler takes the dispute (``handler_id``: someone else, default
    the caller): ``in_review``."""
    handler = (data or {}).get("handler_id") or caller.person_id
    return _step(db, caller, dispute_id, "assigned", handler, None, now)


def comment_dispute(db: UnitOfWorkFactory, caller: Caller, dispute_id: Any,
                    data: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """A party or a handler adds a note (evidence, a call's outcome)."""
    return _step(db, caller, dispute_id, "comment", None, data["note"], now)


def _step(db: UnitOfWorkFactory, caller: Caller, dispute_id: Any, step: str,
          handler: str | None, note: str | None, now: dt.datetime) -> dict[str, Any]:
    dispute_id = _dispute_id(dispute_id)
    with db() as uow:
        dispute = dispute_rows.get_dispute(uow, dispute_id, lock=True)
        if dispute is None or not _may_see(caller, dispute):
            raise _not_found("dispute", dispute_id)
        if step == "assigned":
            rules.require_handler(caller, dispute["region_code"])
            dispute_rows.update_dispute(uow, dispute_id, status=rules.take(dispute["status"]),
                                        handler_id=handler)
            details: dict[str, Any] = {"handler_id": handler}
        else:
            if not _is_party(caller, dispute):
                rules.require_handler(caller, dispute["region_code"])
            rules.comment(dispute["status"])
            details = {}
        dispute_rows.add_step(uow, dispute_id, step, caller.person_id, now, note, details)
        uow.commit()
        return _view(uow, dispute_rows.get_dispute(uow, dispute_id))


def resolve_dispute(db: UnitOfWorkFactory, caller: Caller, dispute_id: Any,
                    data: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """A township-level handler decides: ``upheld``, ``minutes_adjusted`` (records:
    ``minutes`` = the corrected minutes) or ``voided``. ``dispute_resolved`` carries it
    to the ledger (reversal entries when the record was credited)."""
    dispute_id = _dispute_id(dispute_id)
    with db() as uow:
        # read without a lock: the lock order takes the demand, then the record, then
        # the dispute (read again under its lock: its status then is what counts)
        dispute = dispute_rows.get_dispute(uow, dispute_id)
        if dispute is None or not _may_see(caller, dispute):
            raise _not_found("dispute", dispute_id)
        rules.require_handler(caller, dispute["region_code"])
        locked = repo.lock_record_and_demand(uow, dispute["record_id"])
        assert locked is not None  # a dispute's record is never deleted
        demand, record = locked
        dispute = dispute_rows.get_dispute(uow, dispute_id, lock=True)
        assert dispute is not None  # disputes are never deleted
        status = rules.resolve(dispute["status"])
        rules.require_disinterested(caller.person_id, dispute["opened_by"],
                                    (dispute["elder_id"], dispute["volunteer_id"]))
        minutes = rules.check_outcome(dispute["subject"], data["outcome"], data["minutes"],
                                      record["minutes"])
        reason = rules.check_reason(data["reason"])
        credited = record["status"] == SENT
        _apply_locally(uow, dispute, record, demand, data["outcome"], minutes, caller, now,
                       reason)
        dispute_rows.update_dispute(uow, dispute_id, status=status, outcome=data["outcome"],
                                    minutes=minutes, resolution_reason=reason,
                                    resolved_by=caller.person_id, resolved_at=now,
                                    handler_id=dispute["handler_id"] or caller.person_id)
        dispute_rows.add_step(uow, dispute_id, "resolved", caller.person_id, now, reason,
                              {"outcome": data["outcome"], "minutes": minutes})
        uow.emit(DISPUTE_RESOLVED, {
            **dispute, "outcome": data["outcome"], "minutes": minutes,
            "approver": caller.person_id, "reason": reason,
            "credited": credited and dispute["subject"] == "record"}, dispute["region_code"])
        uow.commit()
        return _view(uow, dispute_rows.get_dispute(uow, dispute_id))


def _apply_locally(uow, dispute: dict[str, Any], record: dict[str, Any], demand: Demand,
                   outcome: str, minutes: int | None, caller: Caller, now: dt.datetime,
                   reason: str) -> None:
    """The outcome on demand's own rows (the demand and the record locked, in that
    order): a voided evaluation stops counting; a record voided, or its minutes
    corrected (an unsent record is corrected before it is sent; a credited one keeps its
    recorded minutes and notes the correction — the ledger reverses the difference)."""
    if outcome == UPHELD:
        return
    if dispute["subject"] == "evaluation":
        evaluations.void_evaluation(uow, dispute["subject_id"])
        return
    record_id, sent = record["record_id"], record["status"] == SENT
    if outcome == VOIDED or (minutes == 0 and not sent):
        records.update(uow, record_id, voided=True, status="voided")
        if not sent:
            payments.on_record_dropped(uow, demand, record, RELEASE_VOIDED)
        records.audit(uow, record_id, "voided", caller.person_id, now, reason,
                      {"dispute_id": dispute["dispute_id"]})
        completion.follow_evaluations(uow, demand)  # the others may be evaluated
        return
    values: dict[str, Any] = {"corrected_minutes": minutes}
    if not sent:
        values["minutes"] = minutes
    records.update(uow, record_id, **values)
    records.audit(uow, record_id, "minutes_adjusted", caller.person_id, now, reason,
                  {"dispute_id": dispute["dispute_id"], "recorded_minutes": record["minutes"],
                   "minutes": minutes})
