"""What can be exported: a registry of ``ExportTable`` kinds. Another capability adds its own
kind with ``register(ExportTable(...))`` (at import of its module; ``reporting.app.exports``
imports this one). A kind is:

* ``kind`` (the name a request gives), ``title_zh`` / ``title_en`` (the file's name and
  sheet);
* ``params``: a marshmallow schema class loading the request's ``params`` (a refusal is 400
  ``validation_failed`` when the export is asked for, and again at run time);
* ``columns``: ``[(key, 中文, English)]`` — the file's columns in order (``columns_of``
  may narrow them to what the params ask);
* ``check(caller, params)``: may the caller export this (role and scope; default: a
  ``REPORT_READERS`` role and ``params["region_code"]`` in scope) — checked when asked for;
* ``count(ctx, params) -> int | None``: how many rows (None: unknown), for the progress;
* ``rows(ctx, params) -> Iterator[dict]``: the rows, **streamed** (from a server-side cursor,
  or page by page over RPC): never a list of everything;
* ``after_done(ctx, params)``: optional, once the file is complete (e.g. remember the rows
  delivered), in ``ctx.uow``: the runner commits it together with the job's end, so a job
  that dies before its end delivered nothing.

``ctx`` is an ``ExportContext``: ``uow`` (a unit of work on reporting's database, open for the
whole run; ``uow.nested()`` gives a factory for use cases that open their own), ``now`` (the
run's time), ``caller`` (the ``Caller`` who asked), ``rpc(service)``: the nameko RPC proxy
of another service (declared on ``ReportingService``, e.g. ``identity``), and ``job_id``."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema

from timebank_common.caller import Caller
from timebank_common.clock import CHINA
from timebank_common.errors import BadInput

from ..adapters import record_repository
from ..contracts import (
    MEASURE_NAMES,
    MEASURES,
    REPORT_READERS,
    BreakdownQuery,
    RegionSpan,
    SeriesQuery,
)
from . import series as series_app

Column = tuple[str, str, str]


@dataclass
class ExportContext:
    uow: Any
    now: dt.datetime
    caller: Caller
    rpc: Callable[[str], Any] = field(default=lambda name: no_rpc(name))
    job_id: str | None = None


def no_rpc(name: str) -> Any:
    raise LookupError(f"reporting has no RPC proxy for {name!r} (declare it on the service)")


def readers_in_scope(caller: Caller, params: Mapping[str, Any]) -> None:
    """The default check: a supervisor (``REPORT_READERS``) of the params' region."""
    caller.require(*REPORT_READERS)
    caller.require_scope(params["region_code"])


@dataclass(frozen=True)
class ExportTable:
    kind: str
    title_zh: str
    title_en: str
    params: type[Schema]
    columns: Sequence[Column]
    rows: Callable[[ExportContext, Mapping[str, Any]], Iterator[Mapping[str, Any]]]
    count: Callable[[ExportContext, Mapping[str, Any]], int | None] = lambda ctx, p: None
    check: Callable[[Caller, Mapping[str, Any]], None] = readers_in_scope
    after_done: Callable[[ExportContext, Mapping[str, Any]], Any] | None = None
    columns_of: Callable[[Mapping[str, Any]], Sequence[Column]] | None = None

    def columns_for(self, params: Mapping[str, Any]) -> Sequence[Column]:
        return self.columns_of(params) if self.columns_of else self.columns

    def file_name(self, params: Mapping[str, Any], fmt: str, now: dt.datetime) -> str:
        """``服务记录_130102000000_20261130-1045.xlsx`` (China time of the request)."""
        region = params.get("region_code")
        stamp = now.astimezone(CHINA).strftime("%Y%m%d-%H%M")
        return "_".join(p for p in (self.title_zh, region, stamp) if p) + f".{fmt}"


REGISTRY: dict[str, ExportTable] = {}


def register(table: ExportTable) -> ExportTable:
    if table.kind in REGISTRY and REGISTRY[table.kind] is not table:
        raise ValueError(f"export kind {table.kind!r} is registered twice")
    REGISTRY[table.kind] = table
    return table


def table_of(kind: str) -> ExportTable:
    table = REGISTRY.get(kind)
    if table is None:
        raise BadInput("unknown_export_kind", f"没有可导出的表“{kind}”",
                       f"No export of kind {kind!r}", {"kinds": sorted(REGISTRY)})
    return table


def china_time(moment: Any) -> str | None:
    """An instant as China wall time, ``2026-11-30 10:45:00``."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return str(moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"))


# -- the supervisor's figures ----------------------------------------------------------------

MEASURE_COLUMNS: list[Column] = [(m, *MEASURE_NAMES[m]) for m in MEASURES]


def _query(params: Mapping[str, Any]) -> dict[str, Any]:
    return dict(params)


def _series_rows(ctx: ExportContext, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    answer = series_app.series(ctx.uow.nested(), ctx.caller, _query(params), ctx.now)
    for row in answer["rows"]:
        yield {"period": row["period"], "start": row["start"].isoformat(),
               "end": row["end"].isoformat(), **row["values"]}


def _series_columns(params: Mapping[str, Any]) -> list[Column]:
    asked = set(params["measures"])
    return [("period", "周期", "Period"), ("start", "开始日期", "Start"),
            ("end", "结束日期", "End")] + [c for c in MEASURE_COLUMNS if c[0] in asked]


def _breakdown_rows(ctx: ExportContext, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    answer = series_app.breakdown(ctx.uow.nested(), ctx.caller, _query(params), ctx.now)
    for row in answer["rows"]:
        yield {"region_code": row["region_code"], **row["values"]}


register(ExportTable(
    kind="series", title_zh="统计序列", title_en="Series", params=SeriesQuery,
    columns=[("period", "周期", "Period"), ("start", "开始日期", "Start"),
             ("end", "结束日期", "End"), *MEASURE_COLUMNS],
    columns_of=_series_columns, rows=_series_rows,
    count=lambda ctx, params: None))
register(ExportTable(
    kind="breakdown", title_zh="下级区划统计", title_en="Breakdown", params=BreakdownQuery,
    columns=[("region_code", "区划代码", "Region code"), *MEASURE_COLUMNS],
    rows=_breakdown_rows))


# -- every service record of a region ----------------------------------------------------------

class ServiceRecordsParams(RegionSpan):
    """Every service record served in the region (its prefix) on China days ``from``–``to``."""


SERVICE_RECORD_COLUMNS: list[Column] = [
    ("record_id", "服务记录编号", "Record"),
    ("demand_id", "需求编号", "Demand"),
    ("volunteer_id", "志愿者编号", "Volunteer ID"),
    ("elder_id", "老年人编号", "Elder ID"),
    ("region_code", "服务地区代码", "Region"),
    ("carrier_id", "服务站点", "Station"),
    ("category", "服务类别", "Category"),
    ("funding_source", "支付来源", "Funding"),
    ("day", "服务日期", "Day"),
    ("started_at", "开始时间", "Started (China time)"),
    ("ended_at", "结束时间", "Ended (China time)"),
    ("recorded_at", "记录时间", "Recorded (China time)"),
    ("recorded_minutes", "记录分钟数", "Recorded minutes"),
    ("credited_minutes", "入账分钟数", "Credited minutes"),
    ("hours", "入账小时数", "Hours credited"),
    ("version", "版本", "Version"),
]


def service_record_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A service_records row as the file shows it: times in China time, ``hours`` the
    credited minutes in hours (two decimals; empty until credited)."""
    credited = row["credited_minutes"]
    return {
        "record_id": row["record_id"], "demand_id": row["demand_id"],
        "volunteer_id": row["volunteer_id"], "elder_id": row["elder_id"],
        "region_code": row["region_code"], "carrier_id": row["carrier_id"],
        "category": row["category"], "funding_source": row["funding_source"],
        "day": row["day"].isoformat() if row["day"] else None,
        "started_at": china_time(row["started_at"]), "ended_at": china_time(row["ended_at"]),
        "recorded_at": china_time(row["recorded_at"]),
        "recorded_minutes": row["recorded_minutes"], "credited_minutes": credited,
        "hours": None if credited is None else round(credited / 60, 2),
        "version": row["version"],
    }


def _span(params: Mapping[str, Any]) -> tuple[str, dt.date, dt.date]:
    return params["region_code"], params["from_"], params["to"]


register(ExportTable(
    kind="service_records", title_zh="服务记录", title_en="Service records",
    params=ServiceRecordsParams, columns=SERVICE_RECORD_COLUMNS,
    count=lambda ctx, params: record_repository.count_in_region(ctx.uow, *_span(params)),
    rows=lambda ctx, params: map(service_record_row,
                                 record_repository.stream_in_region(ctx.uow, *_span(params)))))



# -- the other capabilities' kinds -------------------------------------------------------------
def _other_kinds() -> None:
    """The commendation lists and the national volunteer system's records (their modules
    define the rows; imported here, once the registry exists, so they need not import it)."""
    from ..contracts import CommendationQuery
    from . import commendation
    from .national_export import NATIONAL_RECORDS_EXPORT as national

    register(ExportTable(
        kind="commendation", title_zh="表扬名单", title_en="Commendation lists",
        params=CommendationQuery, columns=commendation.COLUMNS, rows=commendation.rows))
    register(ExportTable(
        kind=national.kind, title_zh=national.title_zh, title_en=national.title_en,
        params=national.params_schema, columns=national.columns, rows=national.rows,
        count=national.count, check=national.authorize, after_done=national.after_done))


_other_kinds()
