"""/api/v1/catalog, /demands and demand actions (demand), /volunteers/{id}/feed (matching)."""
from marshmallow import Schema, fields

from demand.assignment_schemas import WithdrawSchema
from demand.schemas import (
    CancelSchema,
    CategoryOut,
    DemandOut,
    PresenceSchema,
    RecordOut,
    RecordSchema,
    ReviewSchema,
    SubmitSchema,
)

from ..routing import route
from ..schemas import DemandListQuery


class AssignBody(Schema):
    volunteer_id = fields.Str(required=True)


class DemandRoutes:
    @route("GET", "/api/v1/catalog", summary="服务目录 Service catalogue", tags=["demands"],
           response=CategoryOut, many=True)
    def catalog(self, request, caller):
        return self.demand.catalog()

    @route("POST", "/api/v1/demands", summary="提交需求 Submit a demand (phone, station, app, api)",
           tags=["demands"], body=SubmitSchema, response=DemandOut, status=201)
    def submit_demand(self, request, caller, body):
        return self.demand.submit(caller, body)

    @route("GET", "/api/v1/demands", summary="需求列表 Demands in your scope", tags=["demands"],
           query=DemandListQuery)
    def list_demands(self, request, caller, query):
        return self.demand.list(caller, query)

    @route("GET", "/api/v1/demands/<demand_id>", summary="需求详情 One demand", tags=["demands"],
           response=DemandOut)
    def get_demand(self, request, caller, demand_id):
        return self.demand.get(caller, demand_id)

    @route("POST", "/api/v1/demands/<demand_id>/review", summary="审核 Review: approve or reject",
           tags=["demands"], body=ReviewSchema, response=DemandOut)
    def review_demand(self, request, caller, demand_id, body):
        return self.demand.review(caller, demand_id, body)

    @route("POST", "/api/v1/demands/<demand_id>/claim", summary="接单 Claim (volunteer)",
           tags=["demands"], response=DemandOut)
    def claim_demand(self, request, caller, demand_id):
        return self.demand.claim(caller, demand_id)

    @route("POST", "/api/v1/demands/<demand_id>/assign", summary="派单 Assign a volunteer (operator)",
           tags=["demands"], body=AssignBody, response=DemandOut)
    def assign_demand(self, request, caller, demand_id, body):
        return self.demand.assign(caller, demand_id, body["volunteer_id"])

    @route("POST", "/api/v1/demands/<demand_id>/withdraw",
           summary="退出 Withdraw before the start, with a reason (volunteer)", tags=["demands"],
           body=WithdrawSchema, response=DemandOut, roles=["volunteer"])
    def withdraw_from_demand(self, request, caller, demand_id, body):
        return self.demand.withdraw(caller, demand_id, body)

    @route("POST", "/api/v1/demands/<demand_id>/check-in", summary="签到 Check in", tags=["demands"],
           body=PresenceSchema, response=DemandOut)
    def check_in(self, request, caller, demand_id, body):
        return self.demand.check_in(caller, demand_id, body)

    @route("POST", "/api/v1/demands/<demand_id>/check-out", summary="签退 Check out", tags=["demands"],
           body=PresenceSchema, response=DemandOut)
    def check_out(self, request, caller, demand_id, body):
        return self.demand.check_out(caller, demand_id, body)

    @route("POST", "/api/v1/demands/<demand_id>/record", summary="认定记录时长 Record service time (station)",
           tags=["demands"], body=RecordSchema, response=RecordOut, status=201)
    def record_service(self, request, caller, demand_id, body):
        return self.demand.record(caller, demand_id, body)

    @route("POST", "/api/v1/demands/<demand_id>/cancel", summary="取消 Cancel", tags=["demands"],
           body=CancelSchema, response=DemandOut)
    def cancel_demand(self, request, caller, demand_id, body):
        return self.demand.cancel(caller, demand_id, body)

    @route("GET", "/api/v1/volunteers/<volunteer_id>/feed", summary="可接需求 Open demands ranked for a volunteer",
           tags=["matching"])
    def volunteer_feed(self, request, caller, volunteer_id):
        return self.matching.feed_for(caller, volunteer_id)
