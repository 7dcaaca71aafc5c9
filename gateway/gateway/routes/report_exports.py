"""/api/v1/reports/exports: a supervisor's exports of reporting's tables as XLSX or CSV — asked
for (202: a job), polled, listed (one's own) and downloaded once done. The file is streamed to
the client chunk by chunk (``reporting.export_file_chunk``, 1 MiB each), never held whole.
reporting checks the kind, its params, the caller's role and the scope of ``params.region_code``;
the gateway checks the role and that scope first."""
from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from reporting.contracts import REPORT_READERS, ExportJobList, ExportJobOut, ExportRequest
from timebank_common.caller import Caller

from ..routing import route


def content_disposition(file_name: str) -> str:
    """``attachment`` with an ASCII fallback and the Chinese name as RFC 5987 ``filename*``."""
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_"
                         for c in file_name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"


def _rest(reporting: Any, caller: dict, job_id: str, offset: int) -> Iterator[bytes]:
    while True:
        chunk = reporting.export_file_chunk(caller, job_id, offset)
        yield base64.b64decode(chunk["data"])
        if chunk["eof"] or chunk["next_offset"] <= offset:
            return
        offset = chunk["next_offset"]


class ReportExportRoutes:
    @route("POST", "/api/v1/reports/exports",
           summary="导出报表 Ask for a table as XLSX or CSV (a job: poll it, then download; "
                   "admins, auditors, API clients, for a region in scope)",
           tags=["reports"], body=ExportRequest, response=ExportJobOut, status=202,
           roles=list(REPORT_READERS), idempotent=True)
    def start_report_export(self, request, caller, body, idempotency_key):
        region = (body.get("params") or {}).get("region_code")
        if isinstance(region, str) and region:
            Caller.from_dict(caller).require_scope(region)
        return self.reporting.start_export(caller, body, idempotency_key=idempotency_key)

    @route("GET", "/api/v1/reports/exports",
           summary="我的导出 The caller's own export jobs, newest first",
           tags=["reports"], response=ExportJobList, roles=list(REPORT_READERS))
    def list_report_exports(self, request, caller):
        return self.reporting.list_exports(caller)

    @route("GET", "/api/v1/reports/exports/<export_id>",
           summary="导出进度 One of the caller's export jobs: status, percent, rows, file",
           tags=["reports"], response=ExportJobOut, roles=list(REPORT_READERS))
    def get_report_export(self, request, caller, export_id):
        return self.reporting.export_job(caller, export_id)

    @route("GET", "/api/v1/reports/exports/<export_id>/file",
           summary="下载导出文件 Download a done export (XLSX or CSV, streamed, with its "
                   "Chinese file name; 409 export_not_ready before it is done, export_expired "
                   "once its file is gone)",
           tags=["reports"], roles=list(REPORT_READERS),
           content_type="application/octet-stream")
    def download_report_export(self, request, caller, export_id):
        first = self.reporting.export_file_chunk(caller, export_id, 0)  # refusals answered here
        data, reporting = base64.b64decode(first["data"]), self.reporting

        def body() -> Iterator[bytes]:
            yield data
            if not first["eof"]:
                yield from _rest(reporting, caller, export_id, first["next_offset"])

        return Response(body(), status=200, content_type=first["media_type"],
                        headers={"Content-Length": str(first["size_bytes"]),
                                 "Content-Disposition": content_disposition(
                                     first["file_name"])}, direct_passthrough=True)
