"""SQL of persons and their elder profiles (a volunteer's profile: ``volunteers``). Personal
data is sealed on write and opened on read (``personal_data``): callers pass and receive
plaintext dicts."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork, within

from .personal_data import digest, from_row, id_number_digest, phone_digest, to_row
from .rows import as_uuid, opened
from .tables import elder_priorities, elder_profiles, persons, volunteer_profiles
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


def lock_person(uow: UnitOfWork, person_id: Any) -> dict[str, Any] | None:
    """The person, locked until commit (changes of one person are serialised)."""
    pid = as_uuid(person_id)
    return opened(uow, "persons", select(persons).where(persons.c.id == pid)
                  .with_for_update()) if pid else None


def update_person(uow: UnitOfWork, person_id: Any, **values: Any) -> dict[str, Any]:
    """Change plaintext fields (sealed on write); the person as it is now."""
    row = opened(uow, "persons", update(persons).where(persons.c.id == person_id)
                 .values(**to_row("persons", values)).returning(*persons.c))
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


def update_elder_profile(uow: UnitOfWork, person_id: Any, **values: Any) -> dict[str, Any]:
    row = opened(uow, "elder_profiles", update(elder_profiles)
                 .where(elder_profiles.c.person_id == person_id)
                 .values(**to_row("elder_profiles", values)).returning(*elder_profiles.c))
    assert row is not None
    return row


def elders_in_region(uow: UnitOfWork, prefix: str) -> list[dict[str, Any]]:
    """Active elders whose region starts with ``prefix``: id, region, birth date, phone_only
    and their verified hardship categories (for the ledger's pool allocation: nothing is
    allocated to an elder who left, withdrew or died)."""
    verified = (select(elder_priorities.c.person_id,
                       func.array_agg(elder_priorities.c.category).label("categories"))
                .where(elder_priorities.c.status == "verified")
                .group_by(elder_priorities.c.person_id).subquery())
    rows = uow.execute(
        select(persons.c.id, persons.c.region_code, persons.c.birth_date,
               elder_profiles.c.phone_only, verified.c.categories)
        .join(elder_profiles, elder_profiles.c.person_id == persons.c.id)
        .outerjoin(verified, verified.c.person_id == persons.c.id)
        .where(within(persons.c.region_code, prefix), persons.c.status == "active")
        .order_by(persons.c.id)).mappings()
    return [dict(r) for r in rows]


# -- lists --------------------------------------------------------------------------------------
_LAST_CHAR = "\U0010ffff"


def _common_filters(prefix: str, filters: Mapping[str, Any]) -> list[Any]:
    """Region range, name prefix, exact phone or ID number (by keyed hash), standing."""
    cond = [within(persons.c.region_code, prefix)]
    if filters.get("q"):
        q = filters["q"]
        # the range lets an index serve the prefix; startswith keeps it exact in any collation
        cond += [persons.c.name >= q, persons.c.name < q + _LAST_CHAR,
                 persons.c.name.startswith(q, autoescape=True)]
    if filters.get("phone"):
        cond.append(persons.c.phone_hash == phone_digest(filters["phone"]))
    if filters.get("id_number"):
        cond.append(persons.c.id_number_hash == id_number_digest(filters["id_number"]))
    if filters.get("status") and filters["status"] != "all":
        cond.append(persons.c.status == filters["status"])
    return cond


def _page(uow: UnitOfWork, columns: list[Any], join: Any, cond: list[Any], page: int,
          page_size: int) -> tuple[list[dict[str, Any]], int]:
    base = select(*columns).select_from(join).where(*cond)
    total = uow.execute(select(func.count()).select_from(base.subquery())).scalar()
    rows = uow.execute(base.order_by(persons.c.region_code, persons.c.name, persons.c.id)
                       .limit(page_size).offset((page - 1) * page_size)).mappings()
    opened_rows = [from_row("persons", dict(r)) for r in rows]
    return [r for r in opened_rows if r is not None], int(total or 0)


def elder_page(uow: UnitOfWork, prefix: str, filters: Mapping[str, Any],
               born_on_or_before: dt.date | None, page: int,
               page_size: int) -> tuple[list[dict[str, Any]], int]:
    """Elders under ``prefix`` matching ``filters`` (``q``, ``phone``, ``id_number``,
    ``status``, ``category``: verified, or ``born_on_or_before`` for the one derived from
    age), ordered by region, name and id; one page and the total."""
    cond = _common_filters(prefix, filters)
    if born_on_or_before is not None:
        cond.append(persons.c.birth_date <= born_on_or_before)
    elif filters.get("category"):
        cond.append(select(elder_priorities.c.person_id).where(
            elder_priorities.c.person_id == persons.c.id,
            elder_priorities.c.category == filters["category"],
            elder_priorities.c.status == "verified").exists())
    return _page(uow, [*persons.c, elder_profiles.c.phone_only, elder_profiles.c.carrier_id],
                 persons.join(elder_profiles, elder_profiles.c.person_id == persons.c.id),
                 cond, page, page_size)


def volunteer_page(uow: UnitOfWork, prefix: str, filters: Mapping[str, Any], page: int,
                   page_size: int) -> tuple[list[dict[str, Any]], int]:
    """Volunteers under ``prefix`` matching ``filters`` (as ``elder_page``; ``eligible``: as
    last announced), ordered by region, name and id; one page and the total."""
    cond = _common_filters(prefix, filters)
    if filters.get("eligible") is not None:
        cond.append(volunteer_profiles.c.announced_eligible.is_(bool(filters["eligible"])))
    return _page(uow, [*persons.c, volunteer_profiles.c.volunteer_number,
                       volunteer_profiles.c.announced_eligible],
                 persons.join(volunteer_profiles, volunteer_profiles.c.person_id == persons.c.id),
                 cond, page, page_size)


# -- 高龄 by rule ---------------------------------------------------------------------------------
def take_elders_of_age(uow: UnitOfWork, born_on_or_before: dt.date,
                       limit: int) -> list[dict[str, Any]]:
    """Active elders born on or before the date whose 高龄 was not granted yet: id and region;
    their profile rows locked, skipping those another process is granting."""
    rows = uow.execute(
        select(persons.c.id, persons.c.region_code)
        .join(elder_profiles, elder_profiles.c.person_id == persons.c.id)
        .where(elder_profiles.c.advanced_age_granted_at.is_(None),
               persons.c.birth_date <= born_on_or_before, persons.c.status == "active")
        .order_by(persons.c.id).limit(limit)
        .with_for_update(of=elder_profiles, skip_locked=True)).mappings()
    return [dict(r) for r in rows]


def mark_advanced_age_granted(uow: UnitOfWork, person_id: Any, at: dt.datetime) -> bool:
    """Record the grant; False when it was recorded already (then nothing is emitted)."""
    return bool(uow.execute(update(elder_profiles).where(
        elder_profiles.c.person_id == person_id,
        elder_profiles.c.advanced_age_granted_at.is_(None))
        .values(advanced_age_granted_at=at)).rowcount)
