"""/api/v1/people/imports: imports of the national volunteer system's files (identity's
import jobs). The upload is the raw file (CSV or XLSX), the one kind of body besides JSON the
gateway takes (``route(raw_body=...)``); the job runs in identity and is polled here."""
import base64
import csv
import io

from werkzeug.wrappers import Response

from identity.contracts import (
    IMPORT_MAX_BYTES,
    IMPORT_MEDIA_TYPES,
    IMPORTERS,
    SUPERVISORS,
    ImportErrorPage,
    ImportErrorsQuery,
    ImportJobList,
    ImportJobOut,
    ImportUploadQuery,
)

from ..routing import route

ERRORS_CSV_PAGE = 1000


class ImportRoutes:
    @route("POST", "/api/v1/people/imports",
           summary="导入志愿者 Import the national volunteer system's export (the raw CSV or "
                   "XLSX file as the body; ?kind=volunteer_registrations|registry_status"
                   "&filename=...): a job, polled at /api/v1/people/imports/{id}",
           tags=["people"], query=ImportUploadQuery, response=ImportJobOut, status=202,
           roles=list(IMPORTERS), raw_body=IMPORT_MEDIA_TYPES, raw_body_max=IMPORT_MAX_BYTES,
           idempotent=True)
    def start_import(self, request, caller, query, raw_body, media_type, idempotency_key):
        return self.identity.start_import(caller, {
            "kind": query["kind"], "file_name": query["filename"],
            "content": base64.b64encode(raw_body).decode("ascii")},
            idempotency_key=idempotency_key)

    @route("GET", "/api/v1/people/imports", summary="我的导入 Your imports, newest first",
           tags=["people"], roles=[*IMPORTERS, *SUPERVISORS], response=ImportJobList)
    def list_imports(self, request, caller):
        return self.identity.list_imports(caller)

    @route("GET", "/api/v1/people/imports/<job_id>",
           summary="导入进度 One import: status, percent, counts (created, updated, unchanged, "
                   "refused), the reason a bad file failed",
           tags=["people"], response=ImportJobOut)
    def get_import(self, request, caller, job_id):
        return self.identity.get_import(caller, job_id)

    @route("GET", "/api/v1/people/imports/<job_id>/errors",
           summary="导入错误 The refused rows of an import (line, code, zh, en), a page",
           tags=["people"], query=ImportErrorsQuery, response=ImportErrorPage)
    def import_errors(self, request, caller, job_id, query):
        return self.identity.import_errors(caller, job_id, query)

    @route("GET", "/api/v1/people/imports/<job_id>/errors.csv",
           summary="导入错误 CSV The refused rows as CSV (UTF-8 with BOM for Excel; zh and en)",
           tags=["people"], content_type="text/csv")
    def import_errors_csv(self, request, caller, job_id):
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(["行号 line", "代码 code", "原因", "reason"])
        page = 1
        while True:
            answer = self.identity.import_errors(caller, job_id,
                                                 {"page": page, "page_size": ERRORS_CSV_PAGE})
            for row in answer["items"]:
                writer.writerow([row["line"], row["code"], row["zh"], row["en"]])
            if page * ERRORS_CSV_PAGE >= answer["total"]:
                break
            page += 1
        return Response(out.getvalue().encode("utf-8"), status=200,
                        mimetype="text/csv", headers={
                            "Content-Disposition":
                                f'attachment; filename="import-{job_id}-errors.csv"'})
