"""SQL of logins: a person's login phone (sealed, found by its keyed hash) and password hash."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork

from .personal_data import phone_digest, to_row
from .rows import opened
from .tables import credentials


def credentials_by_phone(uow: UnitOfWork, phone: str) -> dict[str, Any] | None:
    return opened(uow, "credentials", select(credentials).where(
        credentials.c.login_phone_hash == phone_digest(phone)))


def credentials_of(uow: UnitOfWork, person_id: Any) -> dict[str, Any] | None:
    return opened(uow, "credentials",
                  select(credentials).where(credentials.c.person_id == person_id))


def login_phone_holder(uow: UnitOfWork, phone: str) -> Any:
    return uow.execute(select(credentials.c.person_id).where(
        credentials.c.login_phone_hash == phone_digest(phone))).scalar()


def insert_credentials(uow: UnitOfWork, person_id: Any, login_phone: str,
                       password_hash: str, must_change_password: bool = False) -> None:
    """``must_change_password``: a one-time password, to be changed at first use."""
    uow.execute(insert(credentials).values(**to_row("credentials", {
        "person_id": person_id, "login_phone": login_phone, "password_hash": password_hash,
    }), must_change_password=must_change_password).on_conflict_do_nothing())


def set_password_hash(uow: UnitOfWork, person_id: Any, password_hash: str,
                      must_change_password: bool = False) -> None:
    """A new password: one the person chose (the marker cleared), or a one-time one."""
    uow.execute(update(credentials).where(credentials.c.person_id == person_id)
                .values(password_hash=password_hash, must_change_password=must_change_password,
                        updated_at=func.now()))


def set_login_phone(uow: UnitOfWork, person_id: Any, login_phone: str) -> None:
    """The login follows the person's new phone."""
    uow.execute(update(credentials).where(credentials.c.person_id == person_id)
                .values(**to_row("credentials", {"login_phone": login_phone}),
                        updated_at=func.now()))
