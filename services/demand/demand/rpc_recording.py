"""Recording RPCs (items 6 and 7): the station records, the elder confirms, a reviewer
releases or rejects a held record; evidence thresholds as regional policy data.

A mixin of ``DemandService`` (it uses ``self.db`` and ``self.identity``)."""
from __future__ import annotations

import datetime as dt
import logging
import uuid

from timebank_common.caller import Caller
from timebank_common.clock import CHINA, china_date
from timebank_common.db import utcnow
from timebank_common.errors import Conflict, DomainError, Forbidden, NotFound, Unavailable
from timebank_common.regions import prefix_of
from timebank_common.schemas import load
from timebank_common.service import rpc, scheduled

from . import evaluation_status, identity_calls, payments, recording, schemas
from . import feedback_repository as feedback
from . import recording_repository as records
from . import recording_schemas as rs
from . import repository as repo
from .domain import access, evidence
from .domain.payments import RELEASE_REJECTED
from .domain.recording import (
    APP,
    AWAITING_CONFIRMATION,
    CONFIRMATION_DAYS,
    HELD,
    PHONE,
    confirmation_overdue,
)
from .lookup import demand_id as _demand_id
from .lookup import require_found, uuid_or_404
from .rpc_base import DemandRpcBase

log = logging.getLogger("timebank.demand")
POLICY_ADMINS = ("province_admin", "city_admin")
OVERDUE_BATCH = 200
CONFIRMATION_CALL = "confirmation_overdue"  # the follow-up kind: call the elder


def _record_id(value) -> str:
    return uuid_or_404(value, "record_not_found", "服务记录不存在", "No such service record")


def _record_not_found(record_id: str) -> NotFound:
    return NotFound("record_not_found", "服务记录不存在", "No such service record",
                    {"record_id": record_id})


class RecordingRpcs(DemandRpcBase):

    def _related(self, volunteer_id: str, elder_id: str) -> bool:
        return identity_calls.are_direct_relatives(self._ask_identity, volunteer_id, elder_id)

    def _elder_of(self, demand_id: str) -> str:
        with self.db() as uow:
            return require_found(repo.get_demand(uow, demand_id), demand_id).elder_id

    # --- recording (station only) -------------------------------------------------------
    @rpc
    def record(self, caller, demand_id, data):
        """Record one volunteer's actual minutes; returns the record (status ``held``,
        ``awaiting_confirmation`` or ``sent``). A repeat returns the first record."""
        caller = Caller.from_dict(caller)
        caller.require(*access.OPERATOR_ROLES)
        data = load(schemas.RecordSchema(), data)
        demand_id = _demand_id(demand_id)
        related = self._related(data["volunteer_id"], self._elder_of(demand_id))
        return schemas.RecordOut().dump(
            self._record_volunteer(caller, demand_id, data["volunteer_id"], data, related))

    @rpc
    def record_group(self, caller, demand_id, data):
        """A group activity: each entry is recorded on its own (its own transaction); one
        failing volunteer does not block the others: ``{recorded, failed}``."""
        caller = Caller.from_dict(caller)
        caller.require(*access.OPERATOR_ROLES)
        data = load(rs.GroupRecordSchema(), data)
        demand_id = _demand_id(demand_id)
        elder_id = self._elder_of(demand_id)
        recorded, failed = [], []
        for entry in data["entries"]:
            one = {**data, **entry}
            try:
                related = self._related(entry["volunteer_id"], elder_id)
                recorded.append(self._record_volunteer(caller, demand_id, entry["volunteer_id"],
                                                       one, related))
            except Unavailable:
                raise
            except DomainError as error:
                if error.code == "out_of_scope":
                    raise
                failed.append({"volunteer_id": entry["volunteer_id"], "error": error.to_body()})
        return rs.GroupRecordOut().dump({"recorded": recorded, "failed": failed})

    def _record_volunteer(self, caller: Caller, demand_id: str, volunteer_id: str, data: dict,
                          related: bool) -> dict:
        with self.db() as uow:
            demand = require_found(repo.get_demand(uow, demand_id, lock=True), demand_id)
            caller.require_scope(demand.region_code)
            record = recording.record_one(uow, demand, volunteer_id, data, related,
                                          caller.person_id, utcnow())
            repo.save_demand(uow, demand)
            uow.commit()
        return record

    # --- the elder's confirmation ------------------------------------------------------------
    @rpc
    def confirm(self, caller, demand_id, data=None):
        """The elder (app), their proxy (app), or the station in scope (by phone) confirms the
        demand's records awaiting it; a confirmed, not held record goes to the ledger.
        Returns the demand's records; a repeat changes nothing."""
        caller = Caller.from_dict(caller)
        data = load(rs.ConfirmSchema(), data)
        demand_id = _demand_id(demand_id)
        elder_id = self._elder_of(demand_id)
        side = identity_calls.elder_side(self._ask_identity, caller, elder_id)
        how, by = (PHONE, data["confirmed_by"]) if side == "station" else (APP, side)
        now = utcnow()
        with self.db() as uow:
            demand = require_found(repo.get_demand(uow, demand_id, lock=True), demand_id)
            if how == PHONE:
                caller.require_scope(demand.region_code)
            rows = [r for r in records.of_demand(uow, demand_id)
                    if data["volunteer_id"] in (None, r["volunteer_id"])]
            if not rows:
                raise Conflict("nothing_to_confirm", "该需求还没有待确认的服务记录",
                               "This demand has no service record to confirm yet",
                               {"demand_id": demand_id})
            for row in rows:
                state = records.state_of(row)
                if row["status"] not in (HELD, AWAITING_CONFIRMATION) or \
                        not state.confirm(how, by, caller.person_id, now, data["note"]):
                    continue
                records.save_state(uow, row, state)
                records.audit(uow, row["record_id"], "confirmed", caller.person_id, now,
                              data["note"], {"confirmation": how, "confirmed_by": by})
                feedback.close_open_about_record(uow, row["record_id"], CONFIRMATION_CALL,
                                                 caller.person_id, now, "已确认 Confirmed")
                recording.send_if_ready(uow, demand, row, now)
            uow.commit()
        return schemas.RecordOut(many=True).dump(rows)

    # --- second look at a held record (station / township reviewer) ---------------------------
    @rpc
    def release_record(self, caller, record_id, data=None):
        """Evidence checked: the held record may go to the ledger (once confirmed)."""
        return self._review(caller, record_id, load(rs.ReviewRecordSchema(), data), "release")

    @rpc
    def reject_record(self, caller, record_id, data=None):
        """Evidence refused: no hours for this record, ever (a reason is required)."""
        return self._review(caller, record_id, load(rs.ReviewRecordSchema(), data), "reject")

    def _review(self, caller, record_id, data: dict, action: str) -> dict:
        caller = Caller.from_dict(caller)
        caller.require(*access.OPERATOR_ROLES)
        record_id = _record_id(record_id)
        now = utcnow()
        with self.db() as uow:
            locked = repo.lock_record_and_demand(uow, record_id)  # the demand first
            if locked is None:
                raise _record_not_found(record_id)
            demand, row = locked
            caller.require_scope(row["region_code"])
            state = records.state_of(row)
            if action == "release":
                state.release(caller.person_id, now, data["reason"], row["recorded_by"])
            else:
                state.reject(caller.person_id, now, data["reason"])
                payments.on_record_dropped(uow, demand, row, RELEASE_REJECTED)
            records.save_state(uow, row, state)
            if action == "reject":  # the others may all be evaluated already
                evaluation_status.follow_evaluations(uow, demand)
            records.audit(uow, record_id, state.review, caller.person_id, now,
                          state.review_reason)
            uow.emit("record_reviewed", rs.RecordReviewedEvent().dump(row), row["region_code"])
            recording.send_if_ready(uow, demand, row, now)
            uow.commit()
        return self._record_view(row, None)

    # --- reads --------------------------------------------------------------------------------
    def _record_view(self, row: dict, uow) -> dict:
        if uow is None:
            with self.db() as fresh:
                row["audit"] = records.audit_of(fresh, row["record_id"])
        else:
            row["audit"] = records.audit_of(uow, row["record_id"])
        return rs.RecordWithAuditOut().dump(row)

    @rpc
    def records(self, caller, demand_id):
        """The demand's service records with their audit, for whoever may see the demand."""
        caller = Caller.from_dict(caller)
        demand_id = _demand_id(demand_id)
        # may ask identity: before the transaction
        visibility = self._visibility(caller, self._elder_of(demand_id))
        with self.db() as uow:
            demand = require_found(repo.get_demand(uow, demand_id), demand_id)
            rows = records.of_demand(uow, demand_id)
            if not visibility.allows(demand):
                raise require_found(None, demand_id)
            staff = visibility.region_prefix is not None and \
                demand.region_code.startswith(visibility.region_prefix)
            if not staff and not visibility.speaks_for_elder(demand):  # a volunteer: their own
                rows = [r for r in rows if r["volunteer_id"] == caller.person_id]
            return [self._record_view(r, uow) for r in rows]

    @rpc
    def list_records(self, caller, filters=None):
        """Staff in scope: records in a status (default ``held``: the reviewers' queue)."""
        caller = Caller.from_dict(caller)
        caller.require(*access.READ_ALL_ROLES)
        query = load(rs.RecordListQuery(), filters)
        if not caller.scope:
            raise Forbidden("scope_required", "您没有管辖范围", "You have no region scope")
        prefix = prefix_of(caller.scope)
        if query["region_code"]:
            caller.require_scope(query["region_code"])
            prefix = prefix_of(query["region_code"])
        with self.db() as uow:
            items, total = records.in_status(uow, query["status"], prefix, query["page"],
                                             query["page_size"])
        return rs.RecordPageOut().dump({"items": items, "total": total, "page": query["page"],
                                        "page_size": query["page_size"]})

    # --- evidence thresholds (policy data) ----------------------------------------------------
    @rpc
    def evidence_policy(self, region_code, on_date=None):
        """The thresholds in effect in a region on a date (default today, China time) and
        every row that applies (who added it, when, why)."""
        query = load(rs.EvidencePolicyQuery(), {"region_code": region_code, "on_date": on_date})
        on = query["on_date"] or china_date(utcnow())
        with self.db() as uow:
            rows = records.policy_rows(uow, query["region_code"])
            history = records.policy_history(uow, query["region_code"])
        return rs.EvidencePolicyOut().dump({
            "region_code": query["region_code"], "on_date": on,
            "values": evidence.thresholds_for(rows, query["region_code"], on), "rows": history})

    @rpc
    def add_evidence_policy(self, caller, data):
        """A province or city admin (scope covering the region) adds a row taking effect today
        or later; rows are never changed (the table is the audit)."""
        caller = Caller.from_dict(caller)
        caller.require(*POLICY_ADMINS)
        data = load(rs.AddEvidencePolicySchema(), data)
        caller.require_scope(data["region_code"])
        evidence.check_policy_row(data["region_code"], data["effective_from"],
                                  utcnow().astimezone(CHINA).date())
        values = evidence.check_threshold_values(data["values"])
        with self.db() as uow:
            records.add_policy_row(uow, data["region_code"], data["effective_from"], values,
                                   data["reason"], caller.person_id)
            uow.commit()
        return self.evidence_policy(data["region_code"], data["effective_from"].isoformat())

    # --- unconfirmed records ------------------------------------------------------------------
    @rpc
    def chase_confirmations(self, days=CONFIRMATION_DAYS):
        """Internal (also on a timer): report each record unconfirmed for ``days`` once
        (``record_confirmation_overdue``) and open a follow-up task for the station to call
        the elder (closed by itself once the record is confirmed)."""
        now = utcnow()
        reported = 0
        with self.db() as uow:
            for row in records.overdue_unconfirmed(uow, now - dt.timedelta(days=days),
                                                   OVERDUE_BATCH):
                if not confirmation_overdue(records.state_of(row), row["recorded_at"], now, days):
                    continue
                records.update(uow, row["record_id"], overdue_reported_at=now)
                records.audit(uow, row["record_id"], "confirmation_overdue", None, now)
                uow.emit("record_confirmation_overdue", rs.ConfirmationOverdueEvent().dump(row),
                         row["region_code"])
                task = {"follow_up_id": str(uuid.uuid4()), "kind": CONFIRMATION_CALL,
                        "record_id": row["record_id"], "demand_id": row["demand_id"],
                        "volunteer_id": row["volunteer_id"], "elder_id": row["elder_id"],
                        "region_code": row["region_code"], "status": "open",
                        "opened_at": now}
                feedback.insert_follow_up(uow, task)
                uow.emit("follow_up_opened", rs.FollowUpOpenedEvent().dump(
                    {**task, "carrier_id": row.get("carrier_id")}), row["region_code"])
                reported += 1
            uow.commit()
        return {"reported": reported}

    @scheduled("CONFIRMATION_CHASE_SECONDS", 3600)
    def scheduled_chase_confirmations(self):
        days = int(self.config.get("CONFIRMATION_DAYS", CONFIRMATION_DAYS))
        reported = self.chase_confirmations(days)["reported"]
        if reported:
            log.info("%s service records await the elder's confirmation too long", reported)
