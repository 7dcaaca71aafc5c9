"""SQL of what an interchange export reads: persons with their volunteer profile (the ID
number opened here, like every repository module does), and carriers' names."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from timebank_common.db import UnitOfWork, one_of

from .personal_data import from_row
from .tables import persons, volunteer_profiles


def people_for_export(uow: UnitOfWork, person_ids: Iterable[uuid.UUID]) -> list[dict[str, Any]]:
    """Id, name, region, ID number (opened) and volunteer number (null when the volunteer
    has none) of each known **volunteer** among ``person_ids``, in one statement (an elder's
    or an operator's number is nobody's export)."""
    ids = list(person_ids)
    if not ids:
        return []
    rows = uow.execute(
        select(persons.c.id, persons.c.name, persons.c.region_code, persons.c.id_number_enc,
               volunteer_profiles.c.volunteer_number)
        .select_from(persons.join(volunteer_profiles,
                                  volunteer_profiles.c.person_id == persons.c.id))
        .where(one_of(persons.c.id, ids)).order_by(persons.c.id)).mappings()
    return [opened for row in rows if (opened := from_row("persons", dict(row))) is not None]
