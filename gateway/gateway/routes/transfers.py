"""/api/v1/transfers (gifts and donations with an Idempotency-Key), /api/v1/policies and
/api/v1/pools/allocations (ledger)."""
from ledger.contracts.giving import AllocateIn, AllocationOut, GiveOut, TransferBody
from ledger.contracts.policies import AddPolicyIn, PolicyOut, PolicyQuery
from ledger.contracts.roles import POLICY_ADMINS, POOL_ADMINS
from timebank_common import idempotency
from timebank_common.errors import BadInput

from ..routing import Answer, route


class TransferRoutes:
    @route("POST", "/api/v1/transfers",
           summary="赠送直系亲属或捐赠时长 Give hours to a direct relative, or donate to the pool "
                   "(required header Idempotency-Key: a retry answers the first answer again)",
           tags=["ledger"], body=TransferBody, response=GiveOut, status=201,
           headers=[idempotency.HEADER], idempotent=True,
           other_statuses={200: "已存在 exists: the transfer was made before under this key "
                                "(made before the key was remembered, or after it expired)"})
    def create_transfer(self, request, caller, body, idempotency_key):
        """The ledger derives the transfer id from the giver and the key (exact even without
        the remembered answer); the kit remembers the first answer, so a retry answers it
        with its status, and the same key with another body is 422."""
        if idempotency_key is None:
            raise BadInput("idempotency_key_required", "请在请求头中提供 Idempotency-Key",
                           "The Idempotency-Key header is required")
        result, replayed = idempotency.unwrap(
            self.ledger.give(caller, body, idempotency_key=idempotency_key))
        return Answer(result, 201 if result["status"] == "posted" else 200, replayed)

    @route("GET", "/api/v1/policies",
           summary="地区政策 The policy in effect in a region on a date, and its rows",
           tags=["ledger"], query=PolicyQuery, response=PolicyOut)
    def get_policy(self, request, caller, query):
        return self.ledger.policy(query["region_code"], query.get("on_date"))

    @route("POST", "/api/v1/policies",
           summary="新增政策（未来生效）Add a policy row taking effect after today (admins)",
           tags=["ledger"], body=AddPolicyIn, response=PolicyOut, status=201,
           roles=POLICY_ADMINS, scoped=["region_code"], idempotent=True)
    def add_policy(self, request, caller, body, idempotency_key):
        return self.ledger.add_policy(caller, body, idempotency_key=idempotency_key)

    @route("POST", "/api/v1/pools/allocations",
           summary="资金池分配 Allocate a donation pool to priority elders (living alone, then "
                   "oldest first)", tags=["ledger"], body=AllocateIn, response=AllocationOut,
           roles=POOL_ADMINS)
    def allocate_pool(self, request, caller, body):
        return self.ledger.allocate_pool(caller, body)
