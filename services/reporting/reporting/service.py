"""The reporting service: its entrypoint mixins (``reporting.entrypoints``) and dependencies."""
from __future__ import annotations

from nameko.rpc import RpcProxy

from timebank_common.service import Database, ServiceBase

from .adapters.report_keys import ReportSigner
from .entrypoints.events import EventEntrypoints
from .entrypoints.interchange import InterchangeEntrypoints
from .entrypoints.monthly import MonthlyEntrypoints
from .entrypoints.national import NationalEntrypoints
from .entrypoints.supervision import SupervisionEntrypoints


class ReportingService(SupervisionEntrypoints, EventEntrypoints, InterchangeEntrypoints,
                       NationalEntrypoints, MonthlyEntrypoints, ServiceBase):
    name = "reporting"
    db = Database()
    ledger = RpcProxy("ledger")  # credits per service record (reconciliation of interchange)
    identity = RpcProxy("identity")  # names of people, regions, stations; the division tree
    report_keys = ReportSigner()  # the monthly reports' signing key
