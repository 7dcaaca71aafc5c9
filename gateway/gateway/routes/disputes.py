"""/api/v1/disputes: open, list, show, take, comment on and resolve disputes (demand)."""
from demand.contracts import (
    DisputeListQuery,
    DisputeNoteSchema,
    DisputeOut,
    DisputePageOut,
    OpenDisputeSchema,
    ResolveDisputeSchema,
    TakeDisputeSchema,
)
from timebank_common.caller import STATION_STAFF

from ..routing import route

HANDLERS = list(STATION_STAFF)  # the service checks township level and scope


class DisputeRoutes:
    @route("GET", "/api/v1/disputes", summary="争议列表 Disputes in your scope, or your own",
           tags=["disputes"], query=DisputeListQuery, response=DisputePageOut,
           scoped=["region_code"])
    def list_disputes(self, request, caller, query):
        return self.demand.list_disputes(caller, query)

    @route("POST", "/api/v1/disputes",
           summary="提出争议 Open a dispute about a service record or an evaluation",
           tags=["disputes"], body=OpenDisputeSchema, response=DisputeOut, status=201,
           idempotent=True)
    def open_dispute(self, request, caller, body, idempotency_key):
        return self.demand.open_dispute(caller, body, idempotency_key=idempotency_key)

    @route("GET", "/api/v1/disputes/<dispute_id>", summary="争议详情及处理经过 One dispute and its steps",
           tags=["disputes"], response=DisputeOut)
    def get_dispute(self, request, caller, dispute_id):
        return self.demand.get_dispute(caller, dispute_id)

    @route("POST", "/api/v1/disputes/<dispute_id>/take", summary="受理争议 Take a dispute (township)",
           tags=["disputes"], body=TakeDisputeSchema, response=DisputeOut, roles=HANDLERS)
    def take_dispute(self, request, caller, dispute_id, body):
        return self.demand.take_dispute(caller, dispute_id, body)

    @route("POST", "/api/v1/disputes/<dispute_id>/comments",
           summary="补充说明 Add a note to a dispute", tags=["disputes"], body=DisputeNoteSchema,
           response=DisputeOut)
    def comment_dispute(self, request, caller, dispute_id, body):
        return self.demand.comment_dispute(caller, dispute_id, body)

    @route("POST", "/api/v1/disputes/<dispute_id>/resolve",
           summary="裁决 Resolve: upheld, minutes_adjusted or voided (township)",
           tags=["disputes"], body=ResolveDisputeSchema, response=DisputeOut, roles=HANDLERS)
    def resolve_dispute(self, request, caller, dispute_id, body):
        return self.demand.resolve_dispute(caller, dispute_id, body)
