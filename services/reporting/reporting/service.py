"""The reporting service: its entrypoint mixins (``reporting.entrypoints``) and dependencies."""
from __future__ import annotations

from nameko.rpc import RpcProxy

from timebank_common.service import Database, ServiceBase

from .entrypoints.events import EventEntrypoints
from .entrypoints.interchange import InterchangeEntrypoints
from .entrypoints.national import NationalEntrypoints
from .entrypoints.supervision import SupervisionEntrypoints


class ReportingService(SupervisionEntrypoints, EventEntrypoints, InterchangeEntrypoints,
                       NationalEntrypoints, ServiceBase):
    name = "reporting"
    db = Database()
    ledger = RpcProxy("ledger")  # credits per service record (reconciliation of interchange)
