"""The reporting service: its entrypoint mixins (``reporting.entrypoints``) and dependencies."""
from __future__ import annotations

from timebank_common.service import Database, ServiceBase

from .entrypoints.events import EventEntrypoints
from .entrypoints.national import NationalEntrypoints
from .entrypoints.supervision import SupervisionEntrypoints


class ReportingService(SupervisionEntrypoints, EventEntrypoints, NationalEntrypoints,
                       ServiceBase):
    name = "reporting"
    db = Database()
