"""RPC: export jobs (ask, read, list one's own, download in chunks); the timer that runs them
and sweeps expired files. Config ``EXPORTS: {dir, poll_seconds, lease_seconds, keep_days,
every}`` (``app.exports.Settings``)."""
from __future__ import annotations

import os
import socket
from typing import Any

from marshmallow import fields, validate
from nameko.timer import Timer

from timebank_common.rpc import RpcProxy
from timebank_common.service import rpc

from ..app import exports
from ..contracts import ExportChunkOut, ExportJobList, ExportJobOut, ExportRequest
from .base import ReportingEntrypoints


class ExportTimer(Timer):
    """nameko's ``Timer`` every ``EXPORTS.poll_seconds``."""

    def setup(self):
        self.interval = exports.Settings.of(self.container.config).poll_seconds
        super().setup()


class ExportEntrypoints(ReportingEntrypoints):
    @rpc(args={"request": ExportRequest}, returns=ExportJobOut, idempotent=True)
    def start_export(self, caller, request) -> dict[str, Any]:
        """Ask for a table as XLSX or CSV (a supervisor, for a region in scope): queued."""
        settings = exports.Settings.of(self.config)
        dumped: dict[str, Any] = ExportJobOut().dump(exports.start_export(
            self.db, caller, request, self.clock.now(), settings.queue()))
        return dumped

    @rpc(args={"job_id": fields.String(required=True)}, returns=ExportJobOut)
    def export_job(self, caller, job_id) -> dict[str, Any]:
        """One of the caller's export jobs: status, percent, rows, file name and size."""
        dumped: dict[str, Any] = ExportJobOut().dump(exports.export_job(
            self.db, caller, job_id, exports.Settings.of(self.config).queue()))
        return dumped

    @rpc(returns=ExportJobList)
    def list_exports(self, caller) -> dict[str, Any]:
        """The caller's own export jobs, newest first (at most 50)."""
        dumped: dict[str, Any] = ExportJobList().dump(exports.list_exports(
            self.db, caller, exports.Settings.of(self.config).queue()))
        return dumped

    @rpc(args={"job_id": fields.String(required=True),
               "offset": fields.Integer(load_default=0, validate=validate.Range(min=0))},
         returns=ExportChunkOut)
    def export_file_chunk(self, caller, job_id, offset=0) -> dict[str, Any]:
        """Up to 1 MiB of a done export's file from ``offset`` (base64); 409
        ``export_not_ready`` before it is done."""
        settings = exports.Settings.of(self.config)
        dumped: dict[str, Any] = ExportChunkOut().dump(exports.file_chunk(
            self.db, caller, job_id, offset, settings, settings.queue(), self.clock.now()))
        return dumped

    def _rpc_proxy(self, service: str) -> Any:
        """An export kind's ``ctx.rpc(service)``: a proxy declared on the service class."""
        if not isinstance(getattr(type(self), service, None), RpcProxy):
            raise LookupError(f"reporting declares no RpcProxy({service!r})")
        return getattr(self, service)

    @ExportTimer.decorator(interval=2)
    def run_exports(self) -> None:
        """Run queued export jobs (and ones whose process died) until none is left; then
        delete expired files."""
        settings = exports.Settings.of(self.config)
        owner = f"{socket.gethostname()}:{os.getpid()}"
        while exports.run_next(self.db, settings, self.clock.now, owner,
                               rpc=self._rpc_proxy) is not None:
            pass
        exports.sweep(self.db, settings, self.clock.now())
