"""The commendation lists (表扬奖励) of a region and period (``domain/commendation.py`` says
what each list is): for a reader in scope (``commendation``), for the monthly report
(``lists``), and as rows of an export (``rows``/``COLUMNS``: the "commendation" export kind)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory

from ..adapters import commendation_repository as repo
from ..adapters.identity import IdentityNames
from ..contracts import REPORT_READERS
from ..domain import commendation as rules
from .freshness import freshness

LISTS = ("milestones", "busiest_stations", "best_rated_stations", "long_serving")


def ranked(uow, region_code: str, first: dt.date, last: dt.date,
           limit: int) -> dict[str, list[dict[str, Any]]]:
    """The four lists, ranked, without names."""
    months = rules.months_back(rules.month_start(last), rules.LONG_SERVICE_MONTHS)
    return {
        "milestones": rules.milestones(repo.milestones(uow, region_code, first, last), limit),
        "busiest_stations": rules.busiest(repo.station_services(uow, region_code, first, last),
                                          limit),
        "best_rated_stations": rules.best_rated(repo.station_scores(uow, region_code, first, last),
                                                limit),
        "long_serving": rules.long_serving(repo.volunteer_months(uow, region_code, months[0], last),
                                           last, limit),
    }


def with_names(lists: dict[str, list[dict[str, Any]]],
               names: IdentityNames) -> dict[str, list[dict[str, Any]]]:
    people = [r.get("person_id") or r.get("volunteer_id") for rows in lists.values()
              for r in rows if "carrier_id" not in r]
    stations = [r["carrier_id"] for rows in lists.values() for r in rows if "carrier_id" in r]
    person_names = names.person_names([p for p in people if p]) if people else {}
    _, station_names = names.place_names((), stations) if stations else ({}, {})
    return rules.named(lists, person_names, station_names)


def commendation(db: UnitOfWorkFactory, caller: Caller, query: Mapping[str, Any],
                 now: dt.datetime, names: IdentityNames) -> dict[str, Any]:
    region = query["region_code"]
    caller.require(*REPORT_READERS)
    caller.require_scope(region)
    with db() as uow:
        lists = ranked(uow, region, query["from_"], query["to"], query["limit"])
        fresh = freshness(uow, now)
    return {"region_code": region, "from_": query["from_"], "to": query["to"],
            "long_service_months": rules.LONG_SERVICE_MONTHS,
            "min_evaluations": rules.MIN_EVALUATIONS, **with_names(lists, names), **fresh}


# --- the "commendation" export kind (helper "exports"'s registry) -----------------------
LIST_NAMES = {"milestones": ("星级志愿者", "Star levels reached"),
              "busiest_stations": ("服务最多的服务站", "Most-served stations"),
              "best_rated_stations": ("评价最好的服务站", "Best-rated stations"),
              "long_serving": ("长期坚持服务的志愿者", "Long-serving volunteers")}
COLUMNS: list[tuple[str, str, str]] = [
    ("list", "榜单", "List"),
    ("rank", "名次", "Rank"),
    ("subject_id", "编号", "Id"),
    ("name", "名称/姓名", "Name"),
    ("level", "星级", "Star level"),
    ("cumulative_minutes", "累计服务（分钟）", "Cumulative minutes"),
    ("day", "达到日期", "Reached on"),
    ("services", "服务次数", "Services"),
    ("minutes", "服务时长（分钟）", "Minutes"),
    ("evaluations", "评价数", "Evaluations"),
    ("mean_score", "平均评分", "Mean score"),
    ("months_served", "连续服务月数", "Months served"),
    ("days_served", "服务天数", "Days served"),
]
"""(key, 中文, English) of each column of ``rows``."""


def rows(ctx: Any, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every row of the four lists for ``params`` (``region_code``, ``from``/``from_``,
    ``to`` as dates or ISO text, ``limit`` default 100); ``ctx``: ``.uow`` (a unit of work on
    reporting's database), ``.rpc("identity")`` (the names). The export's caller and scope
    are checked by the export mechanism before this runs."""
    def day(value: Any) -> dt.date:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))

    first = day(params.get("from_") or params["from"])
    lists = ranked(ctx.uow, params["region_code"], first, day(params["to"]),
                   int(params.get("limit") or 100))
    named = with_names(lists, IdentityNames(ctx.rpc("identity")))
    for key in LISTS:
        for position, row in enumerate(named[key], 1):
            out = dict.fromkeys(k for k, _, _ in COLUMNS)
            out.update({k: v for k, v in row.items() if k in out})
            out["list"] = LIST_NAMES[key][0]
            out["rank"] = row.get("rank", position)
            out["subject_id"] = row.get("carrier_id") or row.get("person_id") \
                or row.get("volunteer_id")
            reached = out.get("day")
            if isinstance(reached, dt.date):
                out["day"] = reached.isoformat()
            yield out
