"""/api/v1/transfers (gifts and donations with an Idempotency-Key), /api/v1/policies and
/api/v1/pools/allocations (ledger)."""
from ledger.contracts.giving import AllocateIn, AllocationOut, GiveOut, TransferBody
from ledger.contracts.policies import AddPolicyIn, PolicyOut, PolicyQuery
from ledger.contracts.roles import POLICY_ADMINS, POOL_ADMINS
from timebank_common.errors import BadInput
from timebank_common.service import json_response

from ..routing import route

IDEMPOTENCY_KEY = "Idempotency-Key"


class TransferRoutes:
    @route("POST", "/api/v1/transfers",
           summary="赠送直系亲属或捐赠时长 Give hours to a direct relative, or donate to the pool "
                   "(required header Idempotency-Key: a retry answers 200 with status exists)",
           tags=["ledger"], body=TransferBody, response=GiveOut, status=201,
           headers=[IDEMPOTENCY_KEY])
    def create_transfer(self, request, caller, body):
        key = request.headers.get(IDEMPOTENCY_KEY, "").strip()
        if not key:
            raise BadInput("idempotency_key_required", "请在请求头中提供 Idempotency-Key",
                           "The Idempotency-Key header is required")
        result = self.ledger.give(caller, body, key)
        return json_response(result, status=201 if result["status"] == "posted" else 200)

    @route("GET", "/api/v1/policies",
           summary="地区政策 The policy in effect in a region on a date, and its rows",
           tags=["ledger"], query=PolicyQuery, response=PolicyOut)
    def get_policy(self, request, caller, query):
        return self.ledger.policy(query["region_code"], query.get("on_date"))

    @route("POST", "/api/v1/policies",
           summary="新增政策（未来生效）Add a policy row taking effect after today (admins)",
           tags=["ledger"], body=AddPolicyIn, response=PolicyOut, status=201,
           roles=POLICY_ADMINS, scoped=["region_code"])
    def add_policy(self, request, caller, body):
        return self.ledger.add_policy(caller, body)

    @route("POST", "/api/v1/pools/allocations",
           summary="资金池分配 Allocate a donation pool to priority elders (living alone, then "
                   "oldest first)", tags=["ledger"], body=AllocateIn, response=AllocationOut,
           roles=POOL_ADMINS)
    def allocate_pool(self, request, caller, body):
        return self.ledger.allocate_pool(caller, body)
