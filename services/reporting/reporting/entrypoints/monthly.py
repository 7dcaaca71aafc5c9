"""RPC: the commendation lists, the monthly reports (made on demand, read, downloaded, and
verified by anyone: ``verify_monthly_report(number)`` takes no caller) and the timer that
makes the previous month's reports of the province, city-level units and counties."""
from __future__ import annotations

import base64
import logging
from typing import Any

from marshmallow import fields, validate

from timebank_common.service import rpc, scheduled

from ..adapters.identity import IdentityNames
from ..app import commendation, monthly
from ..contracts import (
    CommendationOut,
    CommendationQuery,
    MonthlyReportOut,
    MonthlyReportPdf,
    MonthlyReportQuery,
    MonthlyReportRequest,
    MonthlyReportVerification,
)
from .base import ReportingEntrypoints

log = logging.getLogger(__name__)
NUMBER = {"number": fields.String(required=True, validate=validate.Length(1, 60))}


class MonthlyEntrypoints(ReportingEntrypoints):
    identity: Any  # RpcProxy("identity")
    report_keys: Any  # adapters.report_keys.ReportKeys

    @property
    def _names(self) -> IdentityNames:
        return IdentityNames(self.identity, self.config)

    @rpc(args={"query": CommendationQuery}, returns=CommendationOut)
    def commendation(self, caller, query) -> dict[str, Any]:
        """The four commendation lists of a region in scope over a span of days."""
        dumped: dict[str, Any] = CommendationOut().dump(commendation.commendation(
            self.db, caller, query, self.clock.now(), self._names))
        return dumped

    @rpc(args={"data": MonthlyReportRequest}, returns=MonthlyReportOut)
    def generate_monthly_report(self, caller, data) -> dict[str, Any]:
        """The report of a complete month for a region in scope (made once: a second ask
        answers the stored one)."""
        dumped: dict[str, Any] = MonthlyReportOut().dump(monthly.generate(
            self.db, caller, data, self.clock.now(), self._names, self.report_keys))
        return dumped

    @rpc(args={"query": MonthlyReportQuery}, returns=MonthlyReportOut)
    def monthly_report(self, caller, query) -> dict[str, Any]:
        """A region's report of a month (404 ``report_not_found``)."""
        dumped: dict[str, Any] = MonthlyReportOut().dump(
            monthly.get(self.db, caller, query, self.report_keys))
        return dumped

    @rpc(args=NUMBER, returns=MonthlyReportPdf)
    def monthly_report_pdf(self, caller, number) -> dict[str, Any]:
        """The stored PDF of a report in scope."""
        out = monthly.pdf(self.db, caller, number)
        return {"filename": out["filename"],
                "pdf_base64": base64.b64encode(out["pdf"]).decode("ascii")}

    @rpc(args=NUMBER, returns=MonthlyReportVerification)
    def verify_monthly_report(self, number) -> dict[str, Any]:
        """Whether a report number is genuine and its PDF unaltered (anyone)."""
        dumped: dict[str, Any] = MonthlyReportVerification().dump(
            monthly.verify(self.db, number, self.report_keys))
        return dumped

    @scheduled("MONTHLY_REPORT_CHECK_SECONDS", 3600)
    def make_monthly_reports(self) -> None:
        """From the 1st (01:00 China time): the previous month's reports still missing."""
        made = monthly.make_due(self.db, self.clock.now(), self._names, self.report_keys)
        if made:
            log.info("made %d monthly reports", made)
