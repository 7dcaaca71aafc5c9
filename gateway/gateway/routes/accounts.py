"""/api/v1/accounts/{person_id} and its statement (ledger)."""
from ..routing import route
from ..schemas import StatementQuery


class AccountRoutes:
    @route("GET", "/api/v1/accounts/<person_id>", summary="时间账户余额 Balances: earned, grant, reserved",
           tags=["ledger"])
    def account_balance(self, request, caller, person_id):
        return self.ledger.balance(caller, person_id)

    @route("GET", "/api/v1/accounts/<person_id>/statement", summary="账户明细 Paged statement",
           tags=["ledger"], query=StatementQuery)
    def account_statement(self, request, caller, person_id, query):
        return self.ledger.statement(caller, person_id, query)
