"""The reporting service: its entrypoint mixins (``reporting.entrypoints``) and dependencies."""
from __future__ import annotations

from timebank_common.rpc import RpcProxy
from timebank_common.service import Database, IdempotencyPurge, ServiceBase

from .adapters.report_keys import ReportSigner
from .entrypoints.events import EventEntrypoints
from .entrypoints.exports import ExportEntrypoints
from .entrypoints.interchange import InterchangeEntrypoints
from .entrypoints.monthly import MonthlyEntrypoints
from .entrypoints.national import NationalEntrypoints
from .entrypoints.supervision import SupervisionEntrypoints


class ReportingService(SupervisionEntrypoints, EventEntrypoints, ExportEntrypoints,
                       InterchangeEntrypoints, NationalEntrypoints, MonthlyEntrypoints,
                       IdempotencyPurge, ServiceBase):
    name = "reporting"
    db = Database()
    # the services reporting asks (an export kind through ``ExportContext.rpc(name)``)
    ledger = RpcProxy("ledger")  # credits per service record (reconciliation of interchange)
    identity = RpcProxy("identity")  # names of people, regions, stations; the division tree
    demand = RpcProxy("demand")  # the catalogue's category names (the national export)
    report_keys = ReportSigner()  # the monthly reports' signing key
