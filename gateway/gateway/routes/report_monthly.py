"""/api/v1/reports/commendation and /api/v1/reports/monthly...: the commendation lists
(表扬奖励) and the signed monthly PDF reports (月度报告) of reporting. Supervisors in scope make
and read them; anyone holding a printed report verifies its number without logging in
(rate-limited as every public route). reporting checks role and scope itself; the gateway
checks them first."""
import base64

from werkzeug.wrappers import Response

from reporting.contracts import (
    REPORT_READERS,
    CommendationOut,
    CommendationQuery,
    MonthlyReportOut,
    MonthlyReportQuery,
    MonthlyReportRequest,
    MonthlyReportVerification,
)

from ..routing import route


class ReportMonthlyRoutes:
    @route("GET", "/api/v1/reports/commendation",
           summary="表扬奖励名单 Commendation lists of a region and period: star levels reached, "
                   "most-served and best-rated stations, long-serving volunteers (names masked; "
                   "admins, auditors, API clients, in scope)",
           tags=["reports"], query=CommendationQuery, response=CommendationOut,
           roles=list(REPORT_READERS), scoped=["region_code"])
    def report_commendation(self, request, caller, query):
        query = dict(query)
        query["from"] = query.pop("from_")
        return self.reporting.commendation(caller, query)

    @route("POST", "/api/v1/reports/monthly",
           summary="生成月度报告 Make the signed PDF report of a complete month for a region in "
                   "scope (made once: asked again, the same report answers)",
           tags=["reports"], body=MonthlyReportRequest, response=MonthlyReportOut,
           roles=list(REPORT_READERS), scoped=["region_code"])
    def make_monthly_report(self, request, caller, body):
        return self.reporting.generate_monthly_report(caller, body)

    @route("GET", "/api/v1/reports/monthly",
           summary="月度报告信息 A region's monthly report: number, hash, when made "
                   "(404 report_not_found)",
           tags=["reports"], query=MonthlyReportQuery, response=MonthlyReportOut,
           roles=list(REPORT_READERS), scoped=["region_code"])
    def monthly_report(self, request, caller, query):
        return self.reporting.monthly_report(caller, query)

    @route("GET", "/api/v1/reports/monthly/<number>/pdf",
           summary="下载月度报告 PDF Download a monthly report in scope as PDF",
           tags=["reports"], content_type="application/pdf", roles=list(REPORT_READERS))
    def monthly_report_pdf(self, request, caller, number):
        out = self.reporting.monthly_report_pdf(caller, number)
        return Response(base64.b64decode(out["pdf_base64"]), status=200,
                        mimetype="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{out["filename"]}"'})

    @route("GET", "/api/v1/reports/monthly/verify/<number>",
           summary="核验月度报告 Verify a monthly report's number: genuine? its region, month "
                   "and the PDF's SHA-256 (public, no login)",
           tags=["reports"], response=MonthlyReportVerification, public=True)
    def verify_monthly_report(self, request, caller, number):
        return self.reporting.verify_monthly_report(number)
