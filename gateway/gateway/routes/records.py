"""/api/v1/records (held records, release/reject), /follow-ups, /evaluation-tags and
/evidence-policies (demand)."""
from demand.contracts import (
    POLICY_ADMINS,
    AddEvidencePolicySchema,
    CloseFollowUpSchema,
    EvidencePolicyOut,
    EvidencePolicyQuery,
    FollowUpOut,
    FollowUpPageOut,
    FollowUpQuery,
    RecordListQuery,
    RecordPageOut,
    RecordWithAuditOut,
    ReviewRecordSchema,
    TagOut,
)
from timebank_common.caller import STATION_STAFF

from ..routing import route

STATION = list(STATION_STAFF)
STAFF = [*STATION, "auditor", "api_client"]


class RecordRoutes:
    @route("GET", "/api/v1/records", summary="服务记录（默认待复核）Service records in a status (default held)",
           tags=["records"], query=RecordListQuery, response=RecordPageOut, roles=STAFF,
           scoped=["region_code"])
    def list_records(self, request, caller, query):
        return self.demand.list_records(caller, query)

    @route("POST", "/api/v1/records/<record_id>/release",
           summary="复核放行 Release a held record (it goes to the ledger once confirmed)",
           tags=["records"], body=ReviewRecordSchema, response=RecordWithAuditOut, roles=STATION)
    def release_record(self, request, caller, record_id, body):
        return self.demand.release_record(caller, record_id, body)

    @route("POST", "/api/v1/records/<record_id>/reject",
           summary="复核驳回 Reject a held record: no hours (reason required)",
           tags=["records"], body=ReviewRecordSchema, response=RecordWithAuditOut, roles=STATION)
    def reject_record(self, request, caller, record_id, body):
        return self.demand.reject_record(caller, record_id, body)

    @route("GET", "/api/v1/evaluation-tags", summary="评价标签 Evaluation tags", tags=["records"],
           response=TagOut, many=True)
    def evaluation_tags(self, request, caller):
        return self.demand.evaluation_tags()

    @route("GET", "/api/v1/follow-ups", summary="回访任务 Follow-up tasks (low scores)",
           tags=["records"], query=FollowUpQuery, response=FollowUpPageOut, roles=STAFF,
           scoped=["region_code"])
    def list_follow_ups(self, request, caller, query):
        return self.demand.list_follow_ups(caller, query)

    @route("POST", "/api/v1/follow-ups/<follow_up_id>/close",
           summary="完成回访 Close a follow-up task with what was done", tags=["records"],
           body=CloseFollowUpSchema, response=FollowUpOut, roles=STATION)
    def close_follow_up(self, request, caller, follow_up_id, body):
        return self.demand.close_follow_up(caller, follow_up_id, body)

    @route("GET", "/api/v1/evidence-policies",
           summary="证据阈值 Evidence thresholds in effect in a region", tags=["records"],
           query=EvidencePolicyQuery, response=EvidencePolicyOut, roles=STAFF)
    def evidence_policy(self, request, caller, query):
        return self.demand.evidence_policy(query["region_code"], query["on_date"])

    @route("POST", "/api/v1/evidence-policies",
           summary="设置证据阈值 Add an evidence-threshold row (province/city admins)",
           tags=["records"], body=AddEvidencePolicySchema, response=EvidencePolicyOut,
           status=201, roles=list(POLICY_ADMINS), scoped=["region_code"], idempotent=True)
    def add_evidence_policy(self, request, caller, body, idempotency_key):
        return self.demand.add_evidence_policy(caller, body, idempotency_key=idempotency_key)
