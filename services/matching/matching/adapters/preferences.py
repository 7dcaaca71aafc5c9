"""SQL of volunteers' matching preferences (matching's own data): home, grid cell, service
radius and weekly hours."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork

from ..domain import geo
from .change_log import note_volunteers
from .tables import volunteer_preferences


def save_preferences(uow: UnitOfWork, person_id: str, prefs: dict[str, Any],
                     now: dt.datetime) -> None:
    home = prefs["home"]
    values = {"home_lat": home["lat"], "home_lng": home["lng"],
              "cell": geo.cell_of(home["lat"], home["lng"]), "radius_km": prefs["radius_km"],
              "availability": prefs["availability"], "updated_at": now}
    uow.execute(insert(volunteer_preferences).values(person_id=person_id, **values)
                .on_conflict_do_update(index_elements=[volunteer_preferences.c.person_id],
                                       set_=values))
    note_volunteers(uow, [person_id])


def get_preferences(uow: UnitOfWork, person_id: str) -> dict[str, Any] | None:
    row = uow.execute(select(volunteer_preferences).where(
        volunteer_preferences.c.person_id == person_id)).first()
    if row is None:
        return None
    return {"home": {"lat": row.home_lat, "lng": row.home_lng}, "radius_km": row.radius_km,
            "availability": row.availability}
