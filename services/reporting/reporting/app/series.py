"""The supervisor's answers: a region's series by period and its breakdown by child region,
for a caller whose role and scope allow it (checked here, as in every service), each with how
fresh the read model is."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import BadInput
from timebank_common.regions import prefix_of

from ..adapters import elder_repository, fact_repository
from ..contracts import (
    ACTIVE_VOLUNTEERS,
    ELDERS_SERVED,
    MAX_ROWS,
    REPORT_READERS,
    SUMMED_MEASURES,
)
from ..domain import periods
from ..domain.rollup import child_length
from .freshness import freshness


def _authorized(caller: Caller, region_code: str) -> None:
    caller.require(*REPORT_READERS)
    caller.require_scope(region_code)


def series(db: UnitOfWorkFactory, caller: Caller, query: Mapping[str, Any],
           now: dt.datetime) -> dict[str, Any]:
    region, period = query["region_code"], query["period"]
    _authorized(caller, region)
    first, last = query["from_"], query["to"]
    buckets = periods.buckets(first, last, period)
    if len(buckets) > MAX_ROWS:
        raise BadInput("too_many_periods", f"一次最多查询 {MAX_ROWS} 个周期，请缩短时间范围或加大周期",
                       f"At most {MAX_ROWS} periods at once: shorten the span or use a longer "
                       "period", {"periods": len(buckets)})
    measures = list(dict.fromkeys(query["measures"]))
    with db() as uow:
        rows = series_rows(uow, prefix_of(region), period, first, last, measures)
        fresh = freshness(uow, now)
    return {"region_code": region, "period": period, "measures": measures, "rows": rows,
            **fresh}


def series_rows(uow, prefix: str, period: str, first: dt.date, last: dt.date,
                measures: list[str]) -> list[dict[str, Any]]:
    """One row per period of the region ``prefix`` (no role or scope checked: the callers'
    business)."""
    buckets = periods.buckets(first, last, period)
    summed = [m for m in measures if m in SUMMED_MEASURES]
    by_day = fact_repository.sums_by_day(uow, prefix, first, last, summed) if summed else []
    changes = (fact_repository.changes_by_day(uow, prefix, last)
               if ACTIVE_VOLUNTEERS in measures else [])
    elders = (elder_repository.served_in_each(
        uow, prefix, [(start, end) for _, start, end in buckets])
        if ELDERS_SERVED in measures else {})
    starts = {start: label for label, start, _ in buckets}
    totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(summed, 0))
    for day, measure, value in by_day:
        totals[starts[max(periods.period_start(day, period), first)]][measure] += int(value)
    active = active_on_each(changes, [end for _, _, end in buckets])
    rows = []
    for label, start, end in buckets:
        values = dict(totals[label]) if label in totals else dict.fromkeys(summed, 0)
        if ACTIVE_VOLUNTEERS in measures:
            values[ACTIVE_VOLUNTEERS] = active.get(end, 0)
        if ELDERS_SERVED in measures:
            values[ELDERS_SERVED] = elders.get(start, 0)
        rows.append({"period": label, "start": start, "end": end,
                     "values": {m: values[m] for m in measures}})
    return rows


def active_on_each(changes: list[Any], days: list[dt.date]) -> dict[dt.date, int]:
    """Active volunteers on each of ``days`` (ascending): the running sum of the changes."""
    counts, total, pending = {}, 0, iter(changes)
    change = next(pending, None)
    for day in days:
        while change is not None and change[0] <= day:
            total += int(change[1])
            change = next(pending, None)
        counts[day] = total
    return counts


def breakdown(db: UnitOfWorkFactory, caller: Caller, query: Mapping[str, Any],
              now: dt.datetime) -> dict[str, Any]:
    """Every summed measure per child region, active volunteers on the last day and the
    distinct elders served in the span."""
    region = query["region_code"]
    _authorized(caller, region)
    first, last = query["from_"], query["to"]
    prefix = prefix_of(region)
    if child_length(region) is None:
        raise BadInput("no_child_regions", "社区（村）以下没有下级区划",
                       "A community has no regions below it", {"region_code": region})
    with db() as uow:
        rows = child_rows(uow, prefix, first, last)
        fresh = freshness(uow, now)
    return {"region_code": region, "from_": first, "to": last, "rows": rows, **fresh}


def child_rows(uow, prefix: str, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """Every summed measure per child region of ``prefix``, active volunteers on ``last`` and
    the distinct elders served in the span (no role or scope checked)."""
    sums = fact_repository.sums_by_child(uow, prefix, first, last, list(SUMMED_MEASURES))
    active = fact_repository.active_by_child(uow, prefix, last)
    elders = elder_repository.served_by_child(uow, prefix, first, last)
    children: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SUMMED_MEASURES, 0))
    for child, measure, value in sums:
        children[child][measure] += int(value)
    for child in (*active, *elders):
        children[child]  # noqa: B018 - a child with service days and no sums still shows
    return [{"region_code": child.ljust(12, "0"),
             "values": {**children[child], ACTIVE_VOLUNTEERS: active.get(child, 0),
                        ELDERS_SERVED: elders.get(child, 0)}}
            for child in sorted(children)]
