"""Where and when a volunteer helps: their home, service radius and weekly hours (matching's
own data, set by the volunteer or station staff of the volunteer's region)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import BadInput, NotFound

from ..adapters import preferences
from ..domain.access import covered, is_self, no_volunteer, preferences_reader
from .belonging import Standing, volunteer_region


def _volunteer_id(value: Any) -> str:
    if not value:
        raise BadInput("volunteer_required", "请指定志愿者", "A volunteer_id is required")
    return str(value)


def _allowed(db: UnitOfWorkFactory, identity: Standing, caller: Caller, volunteer_id: str,
             write: bool) -> None:
    """The volunteer themselves, or staff whose scope covers where the volunteer belongs
    (a volunteer outside it is answered as one nobody has)."""
    preferences_reader(caller, volunteer_id, write)
    if not is_self(caller, volunteer_id):
        covered(caller, volunteer_region(db, identity, volunteer_id), no_volunteer(volunteer_id))


def set_preferences(db: UnitOfWorkFactory, identity: Standing, caller: Caller,
                    volunteer_id: Any, prefs: dict[str, Any], now: dt.datetime
                    ) -> dict[str, Any]:
    """Save them; the in-memory views pick the change up from the change log."""
    volunteer_id = _volunteer_id(volunteer_id)
    _allowed(db, identity, caller, volunteer_id, write=True)
    with db() as uow:
        preferences.save_preferences(uow, volunteer_id, prefs, now)
        uow.commit()
        saved = preferences.get_preferences(uow, volunteer_id)
    return {"volunteer_id": volunteer_id, **(saved or {})}


def get_preferences(db: UnitOfWorkFactory, identity: Standing, caller: Caller,
                    volunteer_id: Any) -> dict[str, Any]:
    volunteer_id = _volunteer_id(volunteer_id)
    _allowed(db, identity, caller, volunteer_id, write=False)
    with db() as uow:
        prefs = preferences.get_preferences(uow, volunteer_id)
    if prefs is None:
        raise NotFound("preferences_not_set", "该志愿者尚未填写服务地点和时间",
                       "This volunteer has not set a home location and hours yet")
    return {"volunteer_id": volunteer_id, **prefs}
