"""SQL of elders' proxies (one row per elder and proxy)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, exists, or_, select
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork

from .rows import as_uuid
from .tables import elder_profiles, elder_proxies, persons, relative_links


def save_proxy(uow: UnitOfWork, elder_id: Any, proxy_person_id: Any, note: str | None,
               set_by: Any) -> None:
    """Set (or re-set, keeping one row per pair) a proxy; the note and setter are the new ones."""
    stmt = insert(elder_proxies).values(elder_id=elder_id, proxy_person_id=proxy_person_id,
                                        note=note, set_by=set_by)
    uow.execute(stmt.on_conflict_do_update(
        index_elements=["elder_id", "proxy_person_id"],
        set_={"note": stmt.excluded.note, "set_by": stmt.excluded.set_by}))


def delete_proxy(uow: UnitOfWork, elder_id: Any, proxy_person_id: Any) -> bool:
    pid = as_uuid(proxy_person_id)
    if pid is None:
        return False
    result = uow.execute(delete(elder_proxies).where(elder_proxies.c.elder_id == elder_id,
                                                     elder_proxies.c.proxy_person_id == pid))
    return bool(result.rowcount > 0)


def proxies_of(uow: UnitOfWork, elder_id: Any) -> list[dict[str, Any]]:
    rows = uow.execute(
        select(elder_proxies, persons.c.name)
        .join(persons, persons.c.id == elder_proxies.c.proxy_person_id)
        .where(elder_proxies.c.elder_id == elder_id)
        .order_by(elder_proxies.c.set_at, elder_proxies.c.proxy_person_id)).mappings()
    return [dict(r) for r in rows]


def is_proxy(uow: UnitOfWork, elder_id: Any, proxy_person_id: Any) -> bool:
    return bool(uow.execute(select(exists().where(
        elder_proxies.c.elder_id == elder_id,
        elder_proxies.c.proxy_person_id == proxy_person_id))).scalar())


def acts_for_anyone(uow: UnitOfWork, person_id: Any) -> bool:
    return bool(uow.execute(select(exists().where(
        elder_proxies.c.proxy_person_id == person_id))).scalar())


def elders_of_proxy(uow: UnitOfWork, proxy_person_id: Any) -> list[str]:
    """The elders (with an elder profile, not deceased) whose proxy this person is while their
    relative link is still verified, by id."""
    elder, proxy = elder_proxies.c.elder_id, elder_proxies.c.proxy_person_id
    links = relative_links.c
    verified = exists().where(links.status == "verified", or_(
        and_(links.person_id == elder, links.relative_person_id == proxy),
        and_(links.person_id == proxy, links.relative_person_id == elder)))
    rows = uow.execute(
        select(elder).join(elder_profiles, elder_profiles.c.person_id == elder)
        .join(persons, persons.c.id == elder)
        .where(proxy == proxy_person_id, verified, persons.c.status != "deceased")
        .order_by(elder)).scalars()
    return [str(r) for r in rows]
