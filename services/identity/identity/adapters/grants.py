"""SQL of role grants: a role, the region it acts in and (station operators) the carrier.
A revoked grant is kept for the record and no longer counts."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork, within

from .personal_data import from_row
from .rows import as_uuid, one
from .tables import carriers, persons, role_grants

_ACTIVE_GRANT: dict[str, Any] = {"index_elements": ["person_id", "role", "scope_code"],
                                 "index_where": role_grants.c.revoked_at.is_(None)}


def grants_of(uow: Any, person_id: Any) -> list[dict[str, Any]]:
    """The person's active grants (revoked ones are kept for the record, and ignored here).
    ``uow``: a unit of work or a connection."""
    rows = uow.execute(select(role_grants).where(role_grants.c.person_id == person_id,
                                                 role_grants.c.revoked_at.is_(None))
                       .order_by(role_grants.c.created_at)).mappings()
    return [dict(r) for r in rows]


def active_holders(uow: UnitOfWork, role: str) -> list[Any]:
    """The persons holding ``role`` (an active grant, any scope)."""
    return list(uow.execute(select(role_grants.c.person_id).where(
        role_grants.c.role == role, role_grants.c.revoked_at.is_(None)).distinct()).scalars())


def add_grant(uow: UnitOfWork, person_id: Any, role: str, scope_code: str, carrier_id: Any = None,
              granted_by: Any = None) -> None:
    uow.execute(insert(role_grants).values(
        id=uuid.uuid4(), person_id=person_id, role=role, scope_code=scope_code,
        carrier_id=carrier_id, granted_by=granted_by,
    ).on_conflict_do_nothing(**_ACTIVE_GRANT))


def insert_grant(uow: UnitOfWork, person_id: Any, role: str, scope_code: str, carrier_id: Any,
                 granted_by: Any) -> dict[str, Any] | None:
    """The new active grant; None when the person already holds this role in this scope."""
    return one(uow, insert(role_grants).values(
        id=uuid.uuid4(), person_id=person_id, role=role, scope_code=scope_code,
        carrier_id=carrier_id, granted_by=granted_by,
    ).on_conflict_do_nothing(**_ACTIVE_GRANT).returning(*role_grants.c))


def get_grant(uow: UnitOfWork, grant_id: Any, lock: bool = False) -> dict[str, Any] | None:
    gid = as_uuid(grant_id)
    if gid is None:
        return None
    stmt = select(role_grants).where(role_grants.c.id == gid)
    return one(uow, stmt.with_for_update() if lock else stmt)


def revoke_grant(uow: UnitOfWork, grant_id: Any, revoked_by: Any, reason: str) -> dict[str, Any]:
    row = one(uow, update(role_grants).where(role_grants.c.id == grant_id)
              .values(revoked_at=func.now(), revoked_by=revoked_by, revoke_reason=reason)
              .returning(*role_grants.c))
    assert row is not None
    return row


def staff_grant_page(uow: UnitOfWork, roles: Iterable[str], prefix: str, page: int,
                     page_size: int) -> tuple[list[dict[str, Any]], int]:
    """Active grants of ``roles`` whose scope starts with ``prefix``, with their person's
    name, phone, ID number and region, one page, and the total."""
    cond = [role_grants.c.role.in_(list(roles)), role_grants.c.revoked_at.is_(None),
            within(role_grants.c.scope_code, prefix)]
    joined = role_grants.join(persons, persons.c.id == role_grants.c.person_id)
    total = uow.execute(select(func.count()).select_from(joined).where(*cond)).scalar()
    sealed = (persons.c.phone_enc, persons.c.id_number_enc)
    person_cols = [persons.c.name, *sealed, persons.c.region_code.label("person_region_code")]
    rows = uow.execute(select(*role_grants.c, *person_cols).select_from(joined).where(*cond)
                       .order_by(role_grants.c.scope_code, role_grants.c.role,
                                 role_grants.c.created_at, role_grants.c.id)
                       .limit(page_size).offset((page - 1) * page_size)).mappings()
    page_rows = []
    for found in rows:
        row = dict(found)
        opened = from_row("persons", {c.name: row.pop(c.name) for c in sealed}) or {}
        page_rows.append({**row, **opened})
    return page_rows, int(total or 0)


def station_staff(uow: UnitOfWork, carrier_id: Any, township_code: str | None) -> list[Any]:
    """Active station operators of the carrier and township admins of the township, with
    their names, by person id."""
    wanted = []
    if carrier_id:
        wanted.append((role_grants.c.role == "station_operator")
                      & (role_grants.c.carrier_id == as_uuid(carrier_id)))
    if township_code:
        wanted.append((role_grants.c.role == "township_admin")
                      & (role_grants.c.scope_code == township_code[:9] + "000"))
    if not wanted:
        return []
    return list(uow.execute(
        select(role_grants.c.person_id, role_grants.c.role, persons.c.name)
        .join(persons, persons.c.id == role_grants.c.person_id)
        .where(role_grants.c.revoked_at.is_(None), or_(*wanted))
        .order_by(role_grants.c.person_id)).all())


def station_operator_regions(uow: UnitOfWork, prefix: str) -> list[str]:
    """One region per station operator under ``prefix``: their station's, else their grant's."""
    region = func.coalesce(carriers.c.region_code, role_grants.c.scope_code)
    stmt = (select(role_grants.c.person_id, func.min(region).label("region_code"))
            .select_from(role_grants.outerjoin(
                carriers, and_(carriers.c.id == role_grants.c.carrier_id)))
            .where(role_grants.c.role == "station_operator", within(region, prefix))
            .group_by(role_grants.c.person_id))
    return [r["region_code"] for r in uow.execute(stmt).mappings()]


def move_own_grants(uow: UnitOfWork, person_id: Any, roles: Iterable[str], from_scope: str,
                    to_scope: str) -> int:
    """The person's own grants (elder, volunteer: scoped to where they live) follow a move."""
    return int(uow.execute(update(role_grants).where(
        role_grants.c.person_id == person_id, role_grants.c.role.in_(list(roles)),
        role_grants.c.scope_code == from_scope, role_grants.c.revoked_at.is_(None))
        .values(scope_code=to_scope)).rowcount)
