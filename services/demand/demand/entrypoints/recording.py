"""Recording RPCs (items 6 and 7): the station records, the elder confirms, a reviewer
releases or rejects a held record; the evidence thresholds; the chase of unconfirmed records
(and its timer)."""
from __future__ import annotations

import logging

from timebank_common.schemas import load
from timebank_common.service import rpc, scheduled

from ..app.recording import chase, policy, reads, review
from ..app.recording import confirm as confirming
from ..app.recording import record as recording
from ..contracts import (
    AddEvidencePolicySchema,
    ChaseOut,
    ConfirmSchema,
    EvidencePolicyOut,
    EvidencePolicyQuery,
    GroupRecordOut,
    GroupRecordSchema,
    RecordListQuery,
    RecordOut,
    RecordPageOut,
    RecordSchema,
    RecordWithAuditOut,
    ReviewRecordSchema,
)
from ..domain.recording import CONFIRMATION_DAYS
from .base import EntrypointBase, given

log = logging.getLogger("timebank.demand")


class RecordingEntrypoints(EntrypointBase):
    @rpc(args={"data": RecordSchema}, returns=RecordOut, idempotent=True)
    def record(self, caller, demand_id, data):
        """Record one volunteer's actual minutes (operators/admins in scope); the record is
        ``held``, ``awaiting_confirmation`` or ``sent``. A repeat returns the first record."""
        return recording.record(self.db, caller, demand_id, data, self.clock,
                             self.identity_client)

    @rpc(args={"data": GroupRecordSchema}, returns=GroupRecordOut, idempotent=True)
    def record_group(self, caller, demand_id, data):
        """A group activity: each entry is recorded on its own (its own transaction); one
        failing volunteer does not block the others: ``{recorded, failed}``."""
        return recording.record_group(self.db, caller, demand_id, data, self.clock,
                                   self.identity_client)

    @rpc(args={"data": ConfirmSchema}, returns=RecordOut(many=True), idempotent=True)
    def confirm(self, caller, demand_id, data=None):
        """The elder (app), their proxy (app), or the station in scope (by phone) confirms the
        demand's records awaiting it; a confirmed, not held record goes to the ledger.
        Returns the demand's records; a repeat changes nothing."""
        return confirming.confirm(self.db, caller, demand_id, given(data, ConfirmSchema),
                               self.clock.now(), self.identity_client)

    @rpc(args={"data": ReviewRecordSchema}, returns=RecordWithAuditOut)
    def release_record(self, caller, record_id, data=None):
        """Evidence checked: the held record may go to the ledger (once confirmed); not by
        whoever recorded it (403 ``second_look_required``)."""
        return review.release_record(self.db, caller, record_id,
                                     given(data, ReviewRecordSchema), self.clock.now())

    @rpc(args={"data": ReviewRecordSchema}, returns=RecordWithAuditOut)
    def reject_record(self, caller, record_id, data=None):
        """Evidence refused: no hours for this record, ever (a reason is required)."""
        return review.reject_record(self.db, caller, record_id,
                                    given(data, ReviewRecordSchema), self.clock.now())

    @rpc(returns=RecordWithAuditOut(many=True))
    def records(self, caller, demand_id):
        """The demand's service records with their audit, for whoever may see the demand (a
        volunteer: their own record)."""
        return reads.demand_records(self.db, caller, demand_id, self.identity_client)

    @rpc(args={"filters": RecordListQuery}, returns=RecordPageOut)
    def list_records(self, caller, filters=None):
        """Staff in scope: records in a status (default ``held``: the reviewers' queue)."""
        return reads.list_records(self.db, caller, given(filters, RecordListQuery))

    @rpc(returns=EvidencePolicyOut)
    def evidence_policy(self, region_code, on_date=None):
        """The thresholds in effect in a region on a date (default today, China time) and
        every row that applies (who added it, when, why)."""
        query = load(EvidencePolicyQuery(), {"region_code": region_code, "on_date": on_date})
        return policy.evidence_policy(self.db, query["region_code"], query["on_date"],
                                      self.clock.now())

    @rpc(args={"data": AddEvidencePolicySchema}, returns=EvidencePolicyOut, idempotent=True)
    def add_evidence_policy(self, caller, data):
        """A province or city admin (scope covering the region) adds a row taking effect today
        or later; rows are never changed (the table is the audit)."""
        return policy.add_evidence_policy(self.db, caller, data, self.clock.now())

    @rpc(returns=ChaseOut, internal=True)
    def chase_confirmations(self, days=CONFIRMATION_DAYS):
        """Report each record unconfirmed for ``days`` once (``record_confirmation_overdue``)
        and open a follow-up task for the station to call the elder; also on a timer."""
        return chase.chase_confirmations(self.db, days, self.clock.now())

    @scheduled("CONFIRMATION_CHASE_SECONDS", 3600)
    def scheduled_chase_confirmations(self):
        days = int(self.config.get("CONFIRMATION_DAYS", CONFIRMATION_DAYS))
        reported = chase.chase_confirmations(self.db, days, self.clock.now())["reported"]
        if reported:
            log.info("%s service records await the elder's confirmation too long", reported)
