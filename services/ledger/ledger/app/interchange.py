"""``interchange_report``: the 通存通兑 report for province and city admins and auditors, over
the city-level units their scope covers (``domain/interchange.py`` says what each figure
is and how it reconciles)."""
from __future__ import annotations

import datetime as dt

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import Forbidden
from timebank_common.periods import day_bounds
from timebank_common.regions import city_unit_of

from ..adapters import interchange as repo
from ..contracts.roles import INTERCHANGE_READERS
from ..domain.interchange import interchange


def interchange_report(db: UnitOfWorkFactory, caller: Caller, period_from: dt.date | None,
                       period_to: dt.date | None) -> dict:
    caller.require(*INTERCHANGE_READERS)
    scope = caller.scope
    if not scope or not caller.covers(city_unit_of(scope)):
        raise Forbidden("scope_below_city_unit",
                        "通存通兑报表按市级单位统计，须由省级或市级（含定州、辛集、雄安）人员查看",
                        "The interchange report is by city-level unit: province or city staff only",
                        {"scope": scope})
    start, end = day_bounds(period_from, period_to)
    with db() as uow:
        report = interchange(repo.movements(uow, start, end), repo.moves(uow, start, end),
                             visible=caller.covers)
    return {**report, "period": {"from": period_from.isoformat() if period_from else None,
                                 "to": period_to.isoformat() if period_to else None}}
