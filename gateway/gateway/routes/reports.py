"""/api/v1/reports/...: the supervisor's figures from reporting's read model — a region's series
by period and its breakdown by child region, each saying how fresh it is (``as_of``,
``lag_seconds``). reporting checks the caller's role and scope itself; the gateway checks
them first."""
from reporting.contracts import (
    REPORT_READERS,
    BreakdownOut,
    BreakdownQuery,
    SeriesOut,
    SeriesQuery,
)

from ..routing import route


def _for_rpc(query: dict) -> dict:
    """The loaded query as reporting's RPC reads it (``from`` under its own name)."""
    query = dict(query)
    query["from"] = query.pop("from_")
    return query


class ReportRoutes:
    @route("GET", "/api/v1/reports/series",
           summary="统计序列 A region's figures per day, week, month, quarter or year, from the "
                   "read model (admins, auditors, API clients, in scope)",
           tags=["reports"], query=SeriesQuery, response=SeriesOut,
           roles=list(REPORT_READERS), scoped=["region_code"])
    def report_series(self, request, caller, query):
        return self.reporting.series(caller, _for_rpc(query))

    @route("GET", "/api/v1/reports/breakdown",
           summary="下级区划统计 A region's figures per child region one level down (admins, "
                   "auditors, API clients, in scope)",
           tags=["reports"], query=BreakdownQuery, response=BreakdownOut,
           roles=list(REPORT_READERS), scoped=["region_code"])
    def report_breakdown(self, request, caller, query):
        return self.reporting.breakdown(caller, _for_rpc(query))
