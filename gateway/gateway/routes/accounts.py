"""/api/v1/accounts/{person_id}, its summary (star level) and its statement (ledger)."""
from ledger.contracts.accounts import (
    BalanceOut,
    StatementOut,
    StatementQuery,
    VolunteerSummaryOut,
)

from ..routing import route


class AccountRoutes:
    @route("GET", "/api/v1/accounts/<person_id>", summary="时间账户余额 Balances: earned, grant, reserved",
           tags=["ledger"], response=BalanceOut)
    def account_balance(self, request, caller, person_id):
        return self.ledger.balance(caller, person_id)

    @route("GET", "/api/v1/accounts/<person_id>/summary",
           summary="志愿服务时长与星级 Balances, cumulative service hours and star level",
           tags=["ledger"], response=VolunteerSummaryOut)
    def account_summary(self, request, caller, person_id):
        return self.ledger.volunteer_summary(caller, person_id)

    @route("GET", "/api/v1/accounts/<person_id>/statement",
           summary="账户明细 Paged statement (period, kind)", tags=["ledger"], query=StatementQuery,
           response=StatementOut)
    def account_statement(self, request, caller, person_id, query):
        return self.ledger.statement(caller, person_id, query)
