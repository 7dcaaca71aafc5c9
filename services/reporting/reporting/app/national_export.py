"""The export of service records and hours for the national volunteer system
(全国志愿服务信息系统), as a kind of reporting's export jobs, and what earlier exports delivered.

``NATIONAL_RECORDS_EXPORT`` is the kind the export jobs' registry runs (``kind``, titles,
``params_schema``, ``columns``, ``authorize``, ``count``, ``rows``, ``after_done``). ``ctx``
is the export context: ``ctx.uow`` a unit of work on reporting's database, ``ctx.now``,
``ctx.rpc(name)`` the nameko RPC proxy of another service (and, if the runner gives it,
``ctx.job_id``).

**One transaction from the first row to ``after_done``.** ``rows`` stages, in ``ctx.uow``,
what the export carries (a temporary table: ``adapters.national_repository``) and writes the
file's rows from it; ``after_done`` — called once the file is whole, with the same ``ctx`` —
writes exactly those rows to the memory (``national_exports``, ``national_deliveries``) and
the runner commits them with the job's end. An export that fails before delivers nothing (the staging goes with its
transaction); one that runs again starts over. Records that change while an export runs are
carried by the next one. One national export runs at a time (an advisory lock held until its
transaction ends; another one fails at once with 409 ``national_export_running``), so two
exports never both carry a record neither had delivered.

``delivered(uow, region_code, from, to)`` is the memory as the reconciliation reads it.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWork, UnitOfWorkFactory
from timebank_common.errors import Conflict

from ..adapters import national_repository
from ..adapters.identity import IdentityNames
from ..adapters.people_directory import IdentityDirectory, category_names
from ..contracts import (
    NATIONAL_COLUMNS,
    NATIONAL_EXPORTERS,
    NATIONAL_RECORDS,
    REPORT_READERS,
    NationalExportParams,
)
from ..domain.national import API_CLIENT_RECORDER, Names, national_row


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _job_id(ctx: Any) -> str | None:
    """The export job's id (``ctx.job_id``), if the context tells it."""
    found = getattr(ctx, "job_id", None)
    return str(found) if found else None


def span(params: Mapping[str, Any]) -> tuple[str, dt.date, dt.date, bool]:
    """Region, first and last China day and ``full`` from the job's params (as loaded by
    ``params_schema``, or as stored: ``from`` in ISO)."""
    first = params["from_"] if "from_" in params else params["from"]
    return (params["region_code"], _day(first), _day(params["to"]),
            bool(params.get("full", False)))


class NationalRecordsExport:
    """The export kind ``national_records`` (see the module)."""

    kind = NATIONAL_RECORDS
    title_zh = "全国志愿服务信息系统服务记录"
    title_en = "Service records for the national volunteer system"
    params_schema = NationalExportParams
    columns = list(NATIONAL_COLUMNS)

    def authorize(self, caller: Caller, params: Mapping[str, Any]) -> None:
        """The admins of the region (the file holds names and full ID numbers)."""
        caller.require(*NATIONAL_EXPORTERS)
        caller.require_scope(params["region_code"])

    def count(self, ctx: Any, params: Mapping[str, Any]) -> int | None:
        return national_repository.count(ctx.uow, *span(params))

    def rows(self, ctx: Any, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        region, first, last, full = span(params)
        if not national_repository.one_at_a_time(ctx.uow):
            raise Conflict("national_export_running",
                           "另一份全国志愿服务信息系统导出正在进行，请稍后再试",
                           "Another export for the national volunteer system is running; "
                           "please try again later")
        national_repository.stage(ctx.uow, region, first, last, full)
        reference = _job_id(ctx) or (
            f"{region}/{first}/{last}/{ctx.now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}")
        identity = IdentityDirectory(ctx.rpc("identity"), {
            "reference": str(reference), "kind": self.kind, "region_code": region})
        names_of = IdentityNames(ctx.rpc("identity"))
        category = category_names(ctx.rpc("demand"))
        after = 0
        while page := national_repository.staged_page(ctx.uow, after):
            after = page[-1]["seq"]
            people = identity.volunteers(r["volunteer_id"] for r in page)
            recorders = names_of.person_names(r["recorded_by"] for r in page if r["recorded_by"])
            _, stations = names_of.place_names((), (r["carrier_id"] for r in page
                                                    if r["carrier_id"]))
            for record in page:
                recorder = record["recorded_by"]
                names = Names(
                    project=category(record["category"]),
                    organisation=stations.get(record["carrier_id"] or "",
                                              record["carrier_id"] or ""),
                    recorder=(recorders.get(recorder, recorder) if recorder
                              else API_CLIENT_RECORDER))
                yield national_row(record, people.get(record["volunteer_id"] or ""), names)

    def after_done(self, ctx: Any, params: Mapping[str, Any]) -> dict[str, int]:
        """The memory of what the finished export delivered, in ``ctx.uow`` (the runner
        commits it with the job's end), under the export job's id."""
        return national_repository.remember(ctx.uow, str(_job_id(ctx)), *span(params), ctx.now)


NATIONAL_RECORDS_EXPORT = NationalRecordsExport()


def national_exports(db: UnitOfWorkFactory, caller: Caller,
                     query: Mapping[str, Any]) -> dict[str, Any]:
    """Past exports of the region and below, newest first (supervisors of the region)."""
    caller.require(*REPORT_READERS)
    caller.require_scope(query["region_code"])
    with db() as uow:
        rows = national_repository.exports_under(uow, query["region_code"])
    return {"items": [{"id": r.id, "region_code": r.region_code, "from_": r.from_day,
                       "to": r.to_day, "full": r.full, "created_at": r.created_at,
                       "rows": r.rows, "corrections": r.corrections, "minutes": r.minutes}
                      for r in rows]}


def delivered(uow: UnitOfWork, region_code: str, first: dt.date, last: dt.date
              ) -> Iterator[tuple[str, int]]:
    """(record id, credited minutes) as last delivered to the national system, for each
    record of the region (prefix) and China days ever delivered (a voided one: 0 once its
    correction was delivered), by record id."""
    return national_repository.delivered(uow, region_code, first, last)
