"""SQL for the identity database. Every function takes the unit of work it runs in."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import within

from .personal_data import digest, from_row, id_number_digest, phone_digest, to_row
from .tables import (
    api_clients,
    carriers,
    credentials,
    elder_priorities,
    elder_profiles,
    persons,
    refresh_tokens,
    regions,
    relative_links,
    role_grants,
    volunteer_profiles,
)


def _one(uow, stmt) -> dict | None:
    row = uow.execute(stmt).mappings().first()
    return dict(row) if row else None


def _opened(uow, table: str, stmt) -> dict | None:
    """One row of a table holding personal data, decrypted (``personal_data``)."""
    return from_row(table, _one(uow, stmt))


def as_uuid(value) -> uuid.UUID | None:
    """A UUID from a string; None when it is not one (an unknown id, never a crash)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


# -- regions and carriers ------------------------------------------------------
REGION_FIELDS = ("code", "name", "level", "parent_code", "longitude", "latitude")


def get_region(uow, code: str) -> dict | None:
    return _one(uow, select(regions).where(regions.c.code == code))


def list_regions(uow, parent_code: str | None) -> list[dict]:
    cond = (regions.c.parent_code.is_(None) if parent_code is None
            else regions.c.parent_code == parent_code)
    return [dict(r) for r in uow.execute(select(regions).where(cond).order_by(regions.c.code)).mappings()]


def region_codes(uow, prefix: str) -> set[str]:
    return set(uow.execute(select(regions.c.code).where(within(regions.c.code, prefix))).scalars())


def load_regions(uow_or_connection, rows) -> int:
    """Insert or update regions (idempotent). ``rows``: mappings with the ``REGION_FIELDS``;
    coordinates may be missing, and then the stored ones are kept. Returns the row count."""
    values = sorted(({f: row.get(f) for f in REGION_FIELDS} for row in rows),
                    key=lambda row: row["code"])  # a parent sorts before its children
    if not values:
        return 0
    stmt = insert(regions)
    stmt = stmt.on_conflict_do_update(index_elements=[regions.c.code], set_={
        "name": stmt.excluded.name, "level": stmt.excluded.level,
        "parent_code": stmt.excluded.parent_code,
        "longitude": func.coalesce(stmt.excluded.longitude, regions.c.longitude),
        "latitude": func.coalesce(stmt.excluded.latitude, regions.c.latitude),
    })
    uow_or_connection.execute(stmt, values)
    return len(values)


def get_carrier(uow, carrier_id) -> dict | None:
    cid = as_uuid(carrier_id)
    return _one(uow, select(carriers).where(carriers.c.id == cid)) if cid else None


def find_carrier(uow, region_code: str, name: str) -> dict | None:
    return _one(uow, select(carriers).where(carriers.c.region_code == region_code,
                                            carriers.c.name == name))


def insert_carrier(uow, **values) -> dict:
    values.setdefault("id", uuid.uuid4())
    return _one(uow, insert(carriers).values(**values).returning(*carriers.c))


def ensure_carrier(uow, **values) -> None:
    uow.execute(insert(carriers).values(**values).on_conflict_do_nothing())


def carrier_page(uow, prefix: str, kind: str | None, page: int,
                 page_size: int) -> tuple[list[dict], int]:
    """Carriers whose region starts with ``prefix`` (and of ``kind``), one page, and the total."""
    cond = [within(carriers.c.region_code, prefix)]
    if kind:
        cond.append(carriers.c.kind == kind)
    total = uow.execute(select(func.count()).select_from(carriers).where(*cond)).scalar()
    rows = uow.execute(select(carriers).where(*cond)
                       .order_by(carriers.c.region_code, carriers.c.name, carriers.c.id)
                       .limit(page_size).offset((page - 1) * page_size)).mappings()
    return [dict(r) for r in rows], total


# -- persons and profiles ------------------------------------------------------
def lock_key(uow, kind: str, value: str) -> None:
    """Serialise transactions claiming one ID number, phone or volunteer number (until commit).
    The lock is taken on a keyed hash: no personal number reaches the database in clear."""
    uow.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                {"k": f"{kind}:{digest('lock', f'{kind}:{value}')}"})


def get_person(uow, person_id) -> dict | None:
    pid = as_uuid(person_id)
    return _opened(uow, "persons", select(persons).where(persons.c.id == pid)) if pid else None


def find_person_by_id_number(uow, id_number: str) -> dict | None:
    return _opened(uow, "persons", select(persons).where(
        persons.c.id_number_hash == id_number_digest(id_number)))


def find_person_by_phone(uow, phone: str) -> dict | None:
    return _opened(uow, "persons", select(persons).where(
        persons.c.phone_hash == phone_digest(phone)))


def insert_person(uow, **values) -> dict:
    values.setdefault("id", uuid.uuid4())
    return _opened(uow, "persons", insert(persons).values(**to_row("persons", values))
                   .returning(*persons.c))


def set_person_phone(uow, person_id, phone: str) -> None:
    uow.execute(update(persons).where(persons.c.id == person_id)
                .values(**to_row("persons", {"phone": phone})))


def get_elder_profile(uow, person_id) -> dict | None:
    pid = as_uuid(person_id)
    if not pid:
        return None
    return _opened(uow, "elder_profiles",
                   select(elder_profiles).where(elder_profiles.c.person_id == pid))


def insert_elder_profile(uow, **values) -> dict:
    return _opened(uow, "elder_profiles", insert(elder_profiles)
                   .values(**to_row("elder_profiles", values)).returning(*elder_profiles.c))


def get_volunteer_profile(uow, person_id) -> dict | None:
    pid = as_uuid(person_id)
    if not pid:
        return None
    return _opened(uow, "volunteer_profiles",
                   select(volunteer_profiles).where(volunteer_profiles.c.person_id == pid))


def volunteer_number_holder(uow, volunteer_number: str):
    return uow.execute(select(volunteer_profiles.c.person_id).where(
        volunteer_profiles.c.volunteer_number == volunteer_number)).scalar()


def insert_volunteer_profile(uow, **values) -> dict:
    return _opened(uow, "volunteer_profiles", insert(volunteer_profiles)
                   .values(**to_row("volunteer_profiles", values))
                   .returning(*volunteer_profiles.c))


def profiles_of(uow, person_id) -> list[str]:
    found = []
    if get_elder_profile(uow, person_id):
        found.append("elder")
    if get_volunteer_profile(uow, person_id):
        found.append("volunteer")
    return found


# -- credentials, grants, tokens, clients -------------------------------------
def credentials_by_phone(uow, phone: str) -> dict | None:
    return _opened(uow, "credentials", select(credentials).where(
        credentials.c.login_phone_hash == phone_digest(phone)))


def credentials_of(uow, person_id) -> dict | None:
    return _opened(uow, "credentials",
                   select(credentials).where(credentials.c.person_id == person_id))


def login_phone_holder(uow, phone: str):
    return uow.execute(select(credentials.c.person_id).where(
        credentials.c.login_phone_hash == phone_digest(phone))).scalar()


def insert_credentials(uow, person_id, login_phone: str, password_hash: str) -> None:
    uow.execute(insert(credentials).values(**to_row("credentials", {
        "person_id": person_id, "login_phone": login_phone, "password_hash": password_hash,
    })).on_conflict_do_nothing())


def grants_of(uow, person_id) -> list[dict]:
    """The person's active grants (revoked ones are kept for the record, and ignored here)."""
    rows = uow.execute(select(role_grants).where(role_grants.c.person_id == person_id,
                                                 role_grants.c.revoked_at.is_(None))
                       .order_by(role_grants.c.created_at)).mappings()
    return [dict(r) for r in rows]


_ACTIVE_GRANT = {"index_elements": ["person_id", "role", "scope_code"],
                 "index_where": role_grants.c.revoked_at.is_(None)}


def add_grant(uow, person_id, role: str, scope_code: str, carrier_id=None, granted_by=None) -> None:
    uow.execute(insert(role_grants).values(
        id=uuid.uuid4(), person_id=person_id, role=role, scope_code=scope_code,
        carrier_id=carrier_id, granted_by=granted_by,
    ).on_conflict_do_nothing(**_ACTIVE_GRANT))


def insert_grant(uow, person_id, role: str, scope_code: str, carrier_id, granted_by) -> dict | None:
    """The new active grant; None when the person already holds this role in this scope."""
    return _one(uow, insert(role_grants).values(
        id=uuid.uuid4(), person_id=person_id, role=role, scope_code=scope_code,
        carrier_id=carrier_id, granted_by=granted_by,
    ).on_conflict_do_nothing(**_ACTIVE_GRANT).returning(*role_grants.c))


def get_grant(uow, grant_id, lock: bool = False) -> dict | None:
    gid = as_uuid(grant_id)
    if gid is None:
        return None
    stmt = select(role_grants).where(role_grants.c.id == gid)
    return _one(uow, stmt.with_for_update() if lock else stmt)


def revoke_grant(uow, grant_id, revoked_by, reason: str) -> dict:
    return _one(uow, update(role_grants).where(role_grants.c.id == grant_id)
                .values(revoked_at=func.now(), revoked_by=revoked_by, revoke_reason=reason)
                .returning(*role_grants.c))


def staff_grant_page(uow, roles, prefix: str, page: int, page_size: int) -> tuple[list[dict], int]:
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
    for row in rows:
        row = dict(row)
        opened = from_row("persons", {c.name: row.pop(c.name) for c in sealed})
        page_rows.append({**row, **opened})
    return page_rows, total


def insert_refresh_token(uow, token_hash: str, person_id, expires_at: dt.datetime,
                         session_id=None) -> None:
    uow.execute(insert(refresh_tokens).values(
        token_hash=token_hash, person_id=person_id, expires_at=expires_at, session_id=session_id))


def take_refresh_token(uow, token_hash: str) -> dict | None:
    """The token row, locked so two refreshes with one token cannot both succeed."""
    return _one(uow, select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)
                .with_for_update())


def revoke_refresh_token(uow, token_hash: str, reason: str = "rotated") -> None:
    uow.execute(update(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)
                .values(revoked_at=func.now(), revoked_reason=reason))


def revoke_all_refresh_tokens(uow, person_id, reason: str = "reused") -> int:
    return uow.execute(update(refresh_tokens)
                       .where(refresh_tokens.c.person_id == person_id,
                              refresh_tokens.c.revoked_at.is_(None))
                       .values(revoked_at=func.now(), revoked_reason=reason)).rowcount


def get_api_client(uow, client_id: str, lock: bool = False) -> dict | None:
    stmt = select(api_clients).where(api_clients.c.client_id == client_id)
    return _one(uow, stmt.with_for_update() if lock else stmt)


def ensure_api_client(uow, client_id: str, name: str, secret_hash: str, scope_code: str) -> None:
    uow.execute(insert(api_clients).values(
        client_id=client_id, name=name, secret_hash=secret_hash, scope_code=scope_code,
    ).on_conflict_do_nothing())


def insert_api_client(uow, **values) -> dict | None:
    """The new client; None when the client id is taken."""
    return _one(uow, insert(api_clients).values(**values).on_conflict_do_nothing()
                .returning(*api_clients.c))


def api_clients_under(uow, prefix: str) -> list[dict]:
    rows = uow.execute(select(api_clients).where(within(api_clients.c.scope_code, prefix))
                       .order_by(api_clients.c.scope_code, api_clients.c.client_id)).mappings()
    return [dict(r) for r in rows]


def set_api_client_secret(uow, client_id: str, secret_hash: str) -> dict:
    return _one(uow, update(api_clients).where(api_clients.c.client_id == client_id)
                .values(secret_hash=secret_hash, secret_rotated_at=func.now())
                .returning(*api_clients.c))


def revoke_api_client(uow, client_id: str, revoked_by, reason: str) -> dict:
    return _one(uow, update(api_clients).where(api_clients.c.client_id == client_id)
                .values(revoked_at=func.now(), revoked_by=revoked_by, revoke_reason=reason)
                .returning(*api_clients.c))


# -- priority categories and relatives ----------------------------------------
def get_priority(uow, person_id, category: str, lock: bool = False) -> dict | None:
    stmt = select(elder_priorities).where(elder_priorities.c.person_id == person_id,
                                          elder_priorities.c.category == category)
    return _opened(uow, "elder_priorities", stmt.with_for_update() if lock else stmt)


def save_priority_submission(uow, person_id, category: str, evidence: str, submitted_by) -> dict:
    """A pending record of this category (a rejected one is replaced)."""
    values = to_row("elder_priorities", {
        "evidence": evidence, "status": "pending", "submitted_by": submitted_by,
        "submitted_at": func.now(), "verified_by": None, "verified_at": None, "reason": None})
    stmt = insert(elder_priorities).values(person_id=person_id, category=category, **values)
    stmt = stmt.on_conflict_do_update(index_elements=["person_id", "category"], set_=values)
    return _opened(uow, "elder_priorities", stmt.returning(*elder_priorities.c))


def decide_priority(uow, person_id, category: str, status: str, verified_by,
                    reason: str | None) -> dict:
    return _opened(uow, "elder_priorities", update(elder_priorities)
                .where(elder_priorities.c.person_id == person_id,
                       elder_priorities.c.category == category)
                .values(status=status, verified_by=verified_by, verified_at=func.now(),
                        reason=reason)
                .returning(*elder_priorities.c))


def verified_categories(uow, person_id) -> list[str]:
    return list(uow.execute(select(elder_priorities.c.category).where(
        elder_priorities.c.person_id == person_id,
        elder_priorities.c.status == "verified")).scalars())


def _between(a, b):
    return or_(and_(relative_links.c.person_id == a, relative_links.c.relative_person_id == b),
               and_(relative_links.c.person_id == b, relative_links.c.relative_person_id == a))


def open_link_between(uow, a, b) -> dict | None:
    """A pending or verified link joining ``a`` and ``b`` either way round."""
    return _opened(uow, "relative_links", select(relative_links).where(
        _between(a, b), relative_links.c.status.in_(("pending", "verified"))))


def verified_link_between(uow, a, b) -> dict | None:
    return _opened(uow, "relative_links", select(relative_links).where(
        _between(a, b), relative_links.c.status == "verified"))


def insert_relative_link(uow, **values) -> dict:
    values.setdefault("id", uuid.uuid4())
    values.setdefault("status", "pending")
    return _opened(uow, "relative_links", insert(relative_links)
                   .values(**to_row("relative_links", values)).returning(*relative_links.c))


def get_relative_link(uow, link_id, lock: bool = False) -> dict | None:
    lid = as_uuid(link_id)
    if lid is None:
        return None
    stmt = select(relative_links).where(relative_links.c.id == lid)
    return _opened(uow, "relative_links", stmt.with_for_update() if lock else stmt)


def decide_relative_link(uow, link_id, status: str, verified_by, reason: str | None) -> dict:
    return _opened(uow, "relative_links", update(relative_links).where(relative_links.c.id == link_id)
                .values(status=status, verified_by=verified_by, verified_at=func.now(),
                        reason=reason)
                .returning(*relative_links.c))


def links_of(uow, person_id) -> list[dict]:
    rows = uow.execute(select(relative_links).where(or_(
        relative_links.c.person_id == person_id,
        relative_links.c.relative_person_id == person_id))
        .order_by(relative_links.c.submitted_at, relative_links.c.id)).mappings()
    return [from_row("relative_links", dict(r)) for r in rows]


def elders_in_region(uow, prefix: str) -> list[dict]:
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
