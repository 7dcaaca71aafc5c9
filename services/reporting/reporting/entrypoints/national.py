"""RPC: the national volunteer system's past exports (the export itself runs as an export
job: ``app.national_export.NATIONAL_RECORDS_EXPORT``)."""
from __future__ import annotations

from typing import Any

from timebank_common.service import rpc

from ..app import national_export
from ..contracts import NationalExportsOut, NationalExportsQuery
from .base import ReportingEntrypoints


class NationalEntrypoints(ReportingEntrypoints):
    @rpc(args={"query": NationalExportsQuery}, returns=NationalExportsOut)
    def national_exports(self, caller, query) -> dict[str, Any]:
        """Past exports to the national system of a region in scope and below, newest first."""
        dumped: dict[str, Any] = NationalExportsOut().dump(
            national_export.national_exports(self.db, caller, query))
        return dumped
