"""SQL of the per-region dispatch setting: proposals applied at once (``auto_apply``) or held
for an operator's approval."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork
from timebank_common.regions import prefix_of

from .tables import region_settings


def auto_apply_for(uow: UnitOfWork, region_code: str) -> bool:
    """The setting of the nearest enclosing region that has one; held for approval by default."""
    rows = uow.execute(select(region_settings)).all()
    best: Any = None
    for r in rows:
        if region_code.startswith(prefix_of(r.region_code)) and (
                best is None or len(prefix_of(r.region_code)) > len(prefix_of(best.region_code))):
            best = r
    return bool(best and best.auto_apply)


def set_auto_apply(uow: UnitOfWork, region_code: str, auto_apply: bool, by: str | None,
                   now: dt.datetime) -> None:
    values = {"auto_apply": auto_apply, "updated_by": by, "updated_at": now}
    uow.execute(insert(region_settings).values(region_code=region_code, **values)
                .on_conflict_do_update(index_elements=[region_settings.c.region_code], set_=values))
