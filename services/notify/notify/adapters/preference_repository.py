"""Each person's notification preferences (and the region used for nearby demands)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import one_of, within

from ..domain.preferences import Preferences
from .tables import preferences


def preferences_of(uow, person_id: str) -> Preferences | None:
    row = uow.execute(select(preferences).where(preferences.c.person_id == person_id)).first()
    return None if row is None else _preferences(row)


def preferences_of_many(uow, person_ids: Iterable[str]) -> dict[str, Preferences]:
    """The preferences of those of these people who set some (one statement for all)."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    rows = uow.execute(select(preferences).where(one_of(preferences.c.person_id, wanted)))
    return {row.person_id: _preferences(row) for row in rows}


def _preferences(row) -> Preferences:
    return Preferences(channels=tuple(row.channels), quiet_start=row.quiet_start,
                       quiet_end=row.quiet_end, email=row.email,
                       nearby_demands=row.nearby_demands, region_code=row.region_code,
                       extra={"locale": row.locale, "updated_at": row.updated_at,
                              "updated_by": row.updated_by})


def save_preferences(uow, person_id: str, values: dict[str, Any], updated_by: str | None
                     ) -> None:
    row = {**values, "person_id": person_id, "updated_by": updated_by}
    stmt = insert(preferences).values(**row)
    uow.execute(stmt.on_conflict_do_update(
        index_elements=[preferences.c.person_id],
        set_={**{k: stmt.excluded[k] for k in values}, "updated_by": updated_by,
              "updated_at": func.now()}))


def nearby_volunteers(uow, region_prefix: str, limit: int = 500) -> list[str]:
    """Persons who opted in to nearby-demand alerts and live under ``region_prefix``."""
    rows = uow.execute(
        select(preferences.c.person_id)
        .where(preferences.c.nearby_demands,
               within(preferences.c.region_code, region_prefix))
        .order_by(preferences.c.person_id).limit(limit)).all()
    return [r.person_id for r in rows]


def move_person(uow, person_id: str, region_code: str) -> None:
    """A person moved: nearby demands are those of the new place from now on."""
    uow.execute(update(preferences).where(preferences.c.person_id == person_id)
                .values(region_code=region_code))
