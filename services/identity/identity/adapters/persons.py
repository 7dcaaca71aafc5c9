"""SQL of persons and their elder profiles (a volunteer's profile: ``volunteers``). Personal
data is sealed on write and opened on read (``personal_data``): callers pass and receive
plaintext dicts."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork, within

from .personal_data import digest, id_number_digest, phone_digest, to_row
from .rows import as_uuid, opened
from .tables import elder_priorities, elder_profiles, persons
from .volunteers import get_volunteer_profile


def lock_key(uow: UnitOfWork, kind: str, value: str) -> None:
    """Serialise transactions claiming one ID number, phone or volunteer number (until commit).
    The lock is taken on a keyed hash: no personal number reaches the database in clear."""
    uow.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                {"k": f"{kind}:{digest('lock', f'{kind}:{value}')}"})


# -- persons ------------------------------------------------------------------------------------
def get_person(uow: UnitOfWork, person_id: Any) -> dict[str, Any] | None:
    pid = as_uuid(person_id)
    return opened(uow, "persons", select(persons).where(persons.c.id == pid)) if pid else None


def find_person_by_id_number(uow: UnitOfWork, id_number: str) -> dict[str, Any] | None:
    return opened(uow, "persons", select(persons).where(
        persons.c.id_number_hash == id_number_digest(id_number)))


def find_person_by_phone(uow: UnitOfWork, phone: str) -> dict[str, Any] | None:
    return opened(uow, "persons", select(persons).where(
        persons.c.phone_hash == phone_digest(phone)))


def insert_person(uow: UnitOfWork, **values: Any) -> dict[str, Any]:
    values.setdefault("id", uuid.uuid4())
    row = opened(uow, "persons", insert(persons).values(**to_row("persons", values))
                 .returning(*persons.c))
    assert row is not None
    return row


def set_person_phone(uow: UnitOfWork, person_id: Any, phone: str) -> None:
    uow.execute(update(persons).where(persons.c.id == person_id)
                .values(**to_row("persons", {"phone": phone})))


def names_of(uow: UnitOfWork, person_ids: Iterable[uuid.UUID]) -> dict[str, str]:
    """Names by person id (names are kept in clear: nothing is opened)."""
    ids = list(person_ids)
    if not ids:
        return {}
    rows = uow.execute(select(persons.c.id, persons.c.name).where(persons.c.id.in_(ids))).all()
    return {str(r.id): r.name for r in rows}


def profiles_of(uow: UnitOfWork, person_id: Any) -> list[str]:
    found = []
    if get_elder_profile(uow, person_id):
        found.append("elder")
    if get_volunteer_profile(uow, person_id):
        found.append("volunteer")
    return found


# -- elder profiles -------------------------------------------------------------------------------
def get_elder_profile(uow: UnitOfWork, person_id: Any) -> dict[str, Any] | None:
    pid = as_uuid(person_id)
    if not pid:
        return None
    return opened(uow, "elder_profiles",
                  select(elder_profiles).where(elder_profiles.c.person_id == pid))


def insert_elder_profile(uow: UnitOfWork, **values: Any) -> dict[str, Any]:
    row = opened(uow, "elder_profiles", insert(elder_profiles)
                 .values(**to_row("elder_profiles", values)).returning(*elder_profiles.c))
    assert row is not None
    return row


def elders_in_region(uow: UnitOfWork, prefix: str) -> list[dict[str, Any]]:
    """Elders whose region starts with ``prefix``: id, region, birth date, phone_only and
    their verified hardship categories (for the ledger's pool allocation)."""
    verified = (select(elder_priorities.c.person_id,
                       func.array_agg(elder_priorities.c.category).label("categories"))
                .where(elder_priorities.c.status == "verified")
                .group_by(elder_priorities.c.person_id).subquery())
    rows = uow.execute(
        select(persons.c.id, persons.c.region_code, persons.c.birth_date,
               elder_profiles.c.phone_only, verified.c.categories)
        .join(elder_profiles, elder_profiles.c.person_id == persons.c.id)
        .outerjoin(verified, verified.c.person_id == persons.c.id)
        .where(within(persons.c.region_code, prefix))
        .order_by(persons.c.id)).mappings()
    return [dict(r) for r in rows]
