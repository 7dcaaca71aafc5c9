"""/api/v1/demands and demand actions, /demand-series (demand), /volunteers/{id}/feed (matching)."""
from marshmallow import Schema, fields

from demand.contracts import (
    ESCALATION_READERS,
    AdjustSchema,
    CancelSchema,
    ConfirmSchema,
    DemandListQuery,
    DemandOut,
    DemandPageOut,
    DemandWithHistoryOut,
    EscalationPageOut,
    EscalationQuery,
    EvaluateSchema,
    EvaluationOut,
    FundingCheckOut,
    GroupRecordOut,
    GroupRecordSchema,
    IntakeReviewSchema,
    PresenceSchema,
    RecordOut,
    RecordSchema,
    RecordWithAuditOut,
    SeriesCancelSchema,
    SeriesCreateSchema,
    SeriesListOut,
    SeriesListQuery,
    SeriesOut,
    SubmitSchema,
    WithdrawSchema,
)
from matching.contracts import FeedOut
from timebank_common import idempotency
from timebank_common.caller import STATION_STAFF

from ..routing import Answer, route


class AssignBody(Schema):
    volunteer_id = fields.Str(required=True)


class DemandRoutes:
    @route("POST", "/api/v1/demands", summary="提交需求 Submit a demand (phone, station, app, api)",
           tags=["demands"], body=SubmitSchema, response=DemandOut, status=201, idempotent=True)
    def submit_demand(self, request, caller, body, idempotency_key):
        return self.demand.submit(caller, body, idempotency_key=idempotency_key)

    @route("GET", "/api/v1/demands", summary="需求列表 Demands in your scope", tags=["demands"],
           query=DemandListQuery, response=DemandPageOut)
    def list_demands(self, request, caller, query):
        return self.demand.list(caller, query)

    @route("GET", "/api/v1/demands/<demand_id>", summary="需求详情 One demand", tags=["demands"],
           response=DemandWithHistoryOut)
    def get_demand(self, request, caller, demand_id):
        return self.demand.get(caller, demand_id)

    @route("POST", "/api/v1/demands/<demand_id>/review", summary="审核 Review: approve or reject",
           tags=["demands"], body=IntakeReviewSchema, response=DemandWithHistoryOut,
           idempotent=True)
    def review_demand(self, request, caller, demand_id, body, idempotency_key):
        return self.demand.review(caller, demand_id, body, idempotency_key=idempotency_key)

    @route("GET", "/api/v1/demands/<demand_id>/funding",
           summary="时长来源核对 Before approving: the payer the elder chose and its shortfall",
           tags=["demands"], response=FundingCheckOut, roles=list(STATION_STAFF))
    def funding_check(self, request, caller, demand_id):
        return self.demand.funding_check(caller, demand_id)

    @route("POST", "/api/v1/demands/<demand_id>/claim", summary="接单 Claim (volunteer)",
           tags=["demands"], response=DemandOut, idempotent=True)
    def claim_demand(self, request, caller, demand_id, idempotency_key):
        return self.demand.claim(caller, demand_id, idempotency_key=idempotency_key)

    @route("POST", "/api/v1/demands/<demand_id>/assign", summary="派单 Assign a volunteer (operator)",
           tags=["demands"], body=AssignBody, response=DemandOut, idempotent=True)
    def assign_demand(self, request, caller, demand_id, body, idempotency_key):
        return self.demand.assign(caller, demand_id, body["volunteer_id"],
                                  idempotency_key=idempotency_key)

    @route("POST", "/api/v1/demands/<demand_id>/withdraw",
           summary="退出 Withdraw before the start, with a reason (volunteer)", tags=["demands"],
           body=WithdrawSchema, response=DemandOut, roles=["volunteer"], idempotent=True)
    def withdraw_from_demand(self, request, caller, demand_id, body, idempotency_key):
        return self.demand.withdraw(caller, demand_id, body, idempotency_key=idempotency_key)

    @route("POST", "/api/v1/demands/<demand_id>/check-in", summary="签到 Check in", tags=["demands"],
           body=PresenceSchema, response=DemandOut, idempotent=True)
    def check_in(self, request, caller, demand_id, body, idempotency_key):
        return self.demand.check_in(caller, demand_id, body, idempotency_key=idempotency_key)

    @route("POST", "/api/v1/demands/<demand_id>/check-out", summary="签退 Check out", tags=["demands"],
           body=PresenceSchema, response=DemandOut, idempotent=True)
    def check_out(self, request, caller, demand_id, body, idempotency_key):
        return self.demand.check_out(caller, demand_id, body, idempotency_key=idempotency_key)

    @route("POST", "/api/v1/demands/<demand_id>/record", summary="认定记录时长 Record service time (station)",
           tags=["demands"], body=RecordSchema, response=RecordOut, status=201, idempotent=True)
    def record_service(self, request, caller, demand_id, body, idempotency_key):
        return self.demand.record(caller, demand_id, body, idempotency_key=idempotency_key)

    @route("POST", "/api/v1/demands/<demand_id>/record-group",
           summary="集体活动记录时长 Record each volunteer of a group activity (station)",
           tags=["demands"], body=GroupRecordSchema, response=GroupRecordOut, status=201,
           roles=list(STATION_STAFF),
           other_statuses={200: "未记录任何志愿者 Nobody recorded: every entry failed (see "
                                "failed)"}, idempotent=True)
    def record_group(self, request, caller, demand_id, body, idempotency_key):
        """201 when records are in ``recorded`` (as ``.../record``, a repeat included); a
        retry with the same Idempotency-Key answers the same (the status follows the answer)."""
        outcome, replayed = idempotency.unwrap(
            self.demand.record_group(caller, demand_id, body, idempotency_key=idempotency_key))
        return Answer(outcome, 201 if outcome["recorded"] else 200, replayed)

    @route("POST", "/api/v1/demands/<demand_id>/confirm",
           summary="老人确认服务 The elder (or proxy, or the station by phone) confirms",
           tags=["demands"], body=ConfirmSchema, response=RecordOut, many=True, idempotent=True)
    def confirm_service(self, request, caller, demand_id, body, idempotency_key):
        return self.demand.confirm(caller, demand_id, body, idempotency_key=idempotency_key)

    @route("GET", "/api/v1/demands/<demand_id>/records",
           summary="服务记录及其经过 The demand's service records with their audit",
           tags=["demands"], response=RecordWithAuditOut, many=True)
    def demand_records(self, request, caller, demand_id):
        return self.demand.records(caller, demand_id)

    @route("POST", "/api/v1/demands/<demand_id>/evaluate",
           summary="评价 Evaluate the service: score 1–5, tags, comment (once per volunteer)",
           tags=["demands"], body=EvaluateSchema, response=EvaluationOut, idempotent=True)
    def evaluate_service(self, request, caller, demand_id, body, idempotency_key):
        return self.demand.evaluate(caller, demand_id, body, idempotency_key=idempotency_key)

    @route("POST", "/api/v1/demands/<demand_id>/cancel", summary="取消 Cancel", tags=["demands"],
           body=CancelSchema, response=DemandOut, idempotent=True)
    def cancel_demand(self, request, caller, demand_id, body, idempotency_key):
        return self.demand.cancel(caller, demand_id, body, idempotency_key=idempotency_key)

    @route("GET", "/api/v1/volunteers/<volunteer_id>/feed", summary="可接需求 Open demands ranked for a volunteer",
           tags=["matching"], response=FeedOut)
    def volunteer_feed(self, request, caller, volunteer_id):
        return self.matching.feed_for(caller, volunteer_id)


class DemandIntakeRoutes:
    """Adjustment, review escalations and recurring demands (demand's intake)."""

    @route("POST", "/api/v1/demands/<demand_id>/adjust",
           summary="核实后调整需求 Adjust a demand before review (with a reason; kept in its history)",
           tags=["demands"], body=AdjustSchema, response=DemandWithHistoryOut,
           roles=list(STATION_STAFF))
    def adjust_demand(self, request, caller, demand_id, body):
        return self.demand.adjust(caller, demand_id, body)

    @route("GET", "/api/v1/demands/escalations",
           summary="超时未审核上报 Demands unreviewed in time, escalated to the township",
           tags=["demands"], query=EscalationQuery, response=EscalationPageOut,
           roles=list(ESCALATION_READERS), scoped=["region_code"])
    def demand_escalations(self, request, caller, query):
        return self.demand.escalations(caller, query)

    @route("POST", "/api/v1/demand-series",
           summary="周期性需求 Create a recurring demand (one demand per occurrence until the end date)",
           tags=["demands"], body=SeriesCreateSchema, response=SeriesOut, status=201,
           idempotent=True)
    def create_series(self, request, caller, body, idempotency_key):
        return self.demand.create_series(caller, body, idempotency_key=idempotency_key)

    @route("GET", "/api/v1/demand-series", summary="周期性需求列表 Recurring demands",
           tags=["demands"], query=SeriesListQuery, response=SeriesListOut, scoped=["region_code"])
    def list_series(self, request, caller, query):
        return self.demand.list_series(caller, query)

    @route("GET", "/api/v1/demand-series/<series_id>", summary="周期性需求详情 One recurring demand",
           tags=["demands"], response=SeriesOut)
    def get_series(self, request, caller, series_id):
        return self.demand.get_series(caller, series_id)

    @route("POST", "/api/v1/demand-series/<series_id>/cancel",
           summary="停止周期性需求 Stop a recurring demand (its future untaken occurrences are cancelled)",
           tags=["demands"], body=SeriesCancelSchema, response=SeriesOut)
    def cancel_series(self, request, caller, series_id, body):
        return self.demand.cancel_series(caller, series_id, body)
