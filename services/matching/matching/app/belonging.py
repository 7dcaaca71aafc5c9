"""Where a volunteer belongs, for the scope checks: matching's read model of volunteers, or
identity's ``person_standing`` for a person matching does not know yet."""
from __future__ import annotations

from typing import Any, Protocol

from timebank_common.db import UnitOfWorkFactory

from ..adapters import volunteers

LONGEST_ID = 64  # a person id, as identity takes it


class Standing(Protocol):
    """What matching asks identity about people (``adapters.clients.IdentityClient``)."""

    def person_standing(self, person_ids: list[str]) -> list[dict[str, Any]]: ...


def known_region(db: UnitOfWorkFactory, volunteer_id: str) -> str | None:
    """The region of a volunteer the read model knows (None: not known here)."""
    with db() as uow:
        return volunteers.region_of(uow, volunteer_id)


def volunteer_region(db: UnitOfWorkFactory, identity: Standing, volunteer_id: str
                     ) -> str | None:
    """The region of the volunteer (None: identity knows no volunteer with this id)."""
    region = known_region(db, volunteer_id)
    if region is not None or len(volunteer_id) > LONGEST_ID:
        return region  # (an id longer than any person's: nobody has it)
    for person in identity.person_standing([volunteer_id]):
        if person["person_id"] == volunteer_id and "volunteer" in person["profiles"]:
            return str(person["region_code"])
    return None
