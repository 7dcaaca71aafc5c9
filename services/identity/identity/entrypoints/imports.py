"""Imports of the national volunteer system's files: start one, follow it, read its refused
rows; the timer that runs the jobs (``app.imports``)."""
from __future__ import annotations

import logging
import os
import socket

from marshmallow import fields

from timebank_common.service import rpc, scheduled

from ..app import imports
from ..contracts import (
    ImportErrorPage,
    ImportErrorsQuery,
    ImportJobList,
    ImportJobOut,
    StartImportSchema,
)

log = logging.getLogger(__name__)
_OWNER = f"{socket.gethostname()}:{os.getpid()}"


class ImportEntrypoints:
    @rpc(args={"data": StartImportSchema}, returns=ImportJobOut, idempotent=True)
    def start_import(self, caller, data):
        """Queue an import of a file of the national volunteer system (station operators and
        township to province admins); the job's first state (``queued``)."""
        return imports.start_import(self.db, caller, data, self.clock.now())

    @rpc(args={"job_id": fields.UUID()}, returns=ImportJobOut)
    def get_import(self, caller, job_id):
        """One import job: status, percent, counts by outcome, the reason of a failure (its
        starter, or supervisors of the region it was started in)."""
        return imports.get_import(self.db, caller, str(job_id))

    @rpc(returns=ImportJobList)
    def list_imports(self, caller):
        """The caller's imports, newest first."""
        return imports.list_imports(self.db, caller)

    @rpc(args={"job_id": fields.UUID(), "query": ImportErrorsQuery}, returns=ImportErrorPage)
    def import_errors(self, caller, job_id, query):
        """The refused rows of an import (line, code, zh, en), in line order, one page."""
        return imports.import_errors(self.db, caller, str(job_id), query)

    @scheduled("IMPORT_POLL_SECONDS", 5)
    def run_imports(self) -> None:
        """Claim queued imports (or one whose process died: its lease ran out) and run them
        chunk by chunk from their checkpoint."""
        chunk = int(self.config.get("IMPORT_CHUNK_ROWS", imports.CHUNK_ROWS))  # type: ignore[attr-defined]
        while (job_id := imports.run_next(self.db, self.clock, _OWNER, chunk)) is not None:  # type: ignore[attr-defined]
            log.info("import job %s ran", job_id)
