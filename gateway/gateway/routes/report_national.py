"""/api/v1/reports/national/...: the national volunteer system's exports (全国志愿服务信息系统).
The export itself is an export job of kind ``national_records`` (``/api/v1/reports/exports``);
here, the exports already made of a region and below. reporting checks the caller's role and
scope itself; the gateway checks them first."""
from reporting.contracts import REPORT_READERS, NationalExportsOut, NationalExportsQuery

from ..routing import route


class ReportNationalRoutes:
    @route("GET", "/api/v1/reports/national/exports",
           summary="全国志愿服务信息系统导出记录 The exports to the national volunteer system of a "
                   "region and below, newest first: rows, corrections, minutes (admins, "
                   "auditors, API clients, in scope)",
           tags=["reports"], query=NationalExportsQuery, response=NationalExportsOut,
           roles=list(REPORT_READERS), scoped=["region_code"])
    def report_national_exports(self, request, caller, query):
        return self.reporting.national_exports(caller, query)
