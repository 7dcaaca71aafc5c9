"""The service catalogue: the active categories (the ledger names certificate lines with
them), the catalogue as the submit form shows it, and its editing by province admins, every
edit kept (``catalogue_changes``). Categories are withdrawn, never deleted: demands refer to
their codes."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import Conflict, NotFound

from ..adapters import catalogue_repository as catalogue_rows
from ..contracts import (
    CATALOGUE_EDITORS,
    NOT_OFFERED_NOTE,
    CatalogueChangeOut,
    CatalogueOut,
    CategoryAdminOut,
    CategoryOut,
)
from ..domain import catalogue


def _category_not_found(code: Any) -> NotFound:
    return NotFound("category_not_found", "服务目录中没有该类别", "No such category",
                    {"code": code})


def active_categories(db: UnitOfWorkFactory) -> list[dict[str, Any]]:
    with db() as uow:
        return CategoryOut(many=True).dump(list(catalogue_rows.load_catalogue(uow).values()))


def catalogue_page(db: UnitOfWorkFactory, viewer: Caller | None, query: dict[str, Any]
                   ) -> dict[str, Any]:
    """``{categories, not_offered}``; staff may ask for withdrawn categories too."""
    include_inactive = query["include_inactive"] and bool(viewer and viewer.is_staff())
    with db() as uow:
        rows = catalogue_rows.all_categories(uow, include_inactive)
    return CatalogueOut().dump({"categories": rows, "not_offered": NOT_OFFERED_NOTE})


def _require_editor(caller: Caller) -> None:
    """The province's admins (the catalogue is the province's: a scope covering it)."""
    caller.require(*CATALOGUE_EDITORS)
    caller.require_scope(catalogue.PROVINCE_CODE)


def create_category(db: UnitOfWorkFactory, caller: Caller, data: dict[str, Any],
                    now: dt.datetime) -> dict[str, Any]:
    _require_editor(caller)
    with db() as uow:
        row = {**data, "qualifications": list(data["qualifications"]), "active": True}
        if row["sort_order"] is None:
            row["sort_order"] = catalogue_rows.next_sort_order(uow)
        catalogue.require_valid(catalogue.as_category(row))
        if not catalogue_rows.insert_category(uow, row):
            raise Conflict("category_exists", "该类别代码已存在", "This category code exists already",
                           {"code": row["code"]})
        catalogue_rows.note_catalogue_change(uow, row["code"], "create", None, row,
                                             caller.person_id or caller.client_id, now)
        uow.commit()
    return CategoryAdminOut().dump(row)


def update_category(db: UnitOfWorkFactory, caller: Caller, code: Any, data: dict[str, Any],
                    now: dt.datetime) -> dict[str, Any]:
    _require_editor(caller)
    with db() as uow:
        before = catalogue_rows.get_category(uow, str(code), lock=True)
        if before is None:
            raise _category_not_found(code)
        after = catalogue.edited(before, data)
        catalogue.require_valid(catalogue.as_category(after))
        if after == before:
            return CategoryAdminOut().dump(before)
        action = "update"
        if before["active"] != after["active"]:
            action = "reactivate" if after["active"] else "deactivate"
        catalogue_rows.update_category(uow, after)
        catalogue_rows.note_catalogue_change(uow, before["code"], action, before, after,
                                             caller.person_id or caller.client_id, now)
        uow.commit()
    return CategoryAdminOut().dump(after)


def catalogue_history(db: UnitOfWorkFactory, caller: Caller, query: dict[str, Any]
                      ) -> dict[str, Any]:
    caller.require(*CATALOGUE_EDITORS, "auditor")
    caller.require_scope(catalogue.PROVINCE_CODE)
    with db() as uow:
        rows = catalogue_rows.catalogue_history(uow, query["code"], query["limit"])
    return {"items": CatalogueChangeOut(many=True).dump(rows)}
