"""/api/v1/reports/zyh and /api/v1/reports/reconciliation: the state of the pushes to 志愿汇
(pending, sent, dead, the last success), the dead ones and their replay (province admins;
audited by reporting), and the reconciliation of interchange (what each channel delivered
against what the ledger credited). reporting checks role and scope itself; the gateway first."""
from reporting.contracts import (
    RECONCILIATION_READERS,
    ZYH_READERS,
    ZYH_REPLAYERS,
    InterchangeReconciliationOut,
    InterchangeReconciliationQuery,
    ZyhDeadOut,
    ZyhDeadQuery,
    ZyhReplayIn,
    ZyhReplayOut,
    ZyhStatusOut,
)

from ..routing import route


class ReportInterchangeRoutes:
    @route("GET", "/api/v1/reports/zyh",
           summary="志愿汇推送状态 Pushes to 志愿汇: pending, sent, dead, the last success "
                   "(province admins, auditors)",
           tags=["reports"], response=ZyhStatusOut, roles=list(ZYH_READERS))
    def report_zyh_status(self, request, caller):
        return self.reporting.zyh_status(caller)

    @route("GET", "/api/v1/reports/zyh/dead",
           summary="志愿汇失败推送 Pushes to 志愿汇 that used up their attempts, newest first "
                   "(province admins, auditors)",
           tags=["reports"], query=ZyhDeadQuery, response=ZyhDeadOut, roles=list(ZYH_READERS))
    def report_zyh_dead(self, request, caller, query):
        return self.reporting.zyh_dead(caller, query)

    @route("POST", "/api/v1/reports/zyh/replay",
           summary="重新推送 Send dead 志愿汇 pushes again: the records given, or all "
                   "(province admins; audited)",
           tags=["reports"], body=ZyhReplayIn, response=ZyhReplayOut,
           roles=list(ZYH_REPLAYERS))
    def report_zyh_replay(self, request, caller, body):
        return self.reporting.zyh_replay(caller, body)

    @route("GET", "/api/v1/reports/reconciliation",
           summary="数据交换对账 Per channel (志愿汇, national export) what was delivered for a "
                   "region's service days against what the ledger credited, with the "
                   "differences (admins, auditors, API clients, in scope)",
           tags=["reports"], query=InterchangeReconciliationQuery,
           response=InterchangeReconciliationOut, roles=list(RECONCILIATION_READERS),
           scoped=["region_code"])
    def report_reconciliation(self, request, caller, query):
        query = dict(query)
        query["from"] = query.pop("from_")
        return self.reporting.interchange_reconciliation(caller, query)
