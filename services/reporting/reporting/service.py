"""The reporting service: its entrypoint mixins (``reporting.entrypoints``) and dependencies."""
from __future__ import annotations

from nameko.rpc import RpcProxy

from timebank_common.service import Database, IdempotencyPurge, ServiceBase

from .entrypoints.events import EventEntrypoints
from .entrypoints.exports import ExportEntrypoints
from .entrypoints.supervision import SupervisionEntrypoints


class ReportingService(SupervisionEntrypoints, EventEntrypoints, ExportEntrypoints,
                       IdempotencyPurge, ServiceBase):
    name = "reporting"
    db = Database()
    # the services an export kind may ask (``ExportContext.rpc(name)``)
    identity = RpcProxy("identity")
