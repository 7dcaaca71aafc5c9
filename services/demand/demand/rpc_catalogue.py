"""Catalogue RPCs of the demand service (a base of ``IntakeRpcs``): the catalogue as the
submit form shows it, and its editing by province admins, every edit kept."""
from __future__ import annotations

from timebank_common.caller import Caller
from timebank_common.errors import Conflict, NotFound
from timebank_common.schemas import load
from timebank_common.service import rpc

from . import intake_repository as irepo
from . import intake_schemas as ischemas
from . import repository as repo
from . import schemas
from .domain import catalogue


def _category_not_found(code) -> NotFound:
    return NotFound("category_not_found", "服务目录中没有该类别", "No such category",
                    {"code": code})


class CatalogueRpcs:
    @rpc
    def catalog(self):
        """The active categories (a list; the ledger names certificate lines with it)."""
        with self.db() as uow:
            return schemas.CategoryOut(many=True).dump(list(repo.load_catalogue(uow).values()))

    @rpc
    def catalog_page(self, caller=None, filters=None):
        """``{categories, not_offered}``: the catalogue as the submit form shows it; staff may
        ask for withdrawn categories too (``include_inactive``)."""
        query = load(ischemas.CatalogueQuery(), filters)
        include_inactive = query["include_inactive"] and bool(
            caller and Caller.from_dict(caller).is_staff())
        with self.db() as uow:
            rows = irepo.all_categories(uow, include_inactive)
        return ischemas.CatalogueOut().dump(
            {"categories": rows, "not_offered": catalogue.NOT_OFFERED_NOTE})

    @rpc
    def create_category(self, caller, data):
        caller = Caller.from_dict(caller)
        caller.require(*catalogue.EDITORS)
        data = load(ischemas.CategoryCreateSchema(), data)
        with self.db() as uow:
            row = {**data, "qualifications": list(data["qualifications"]), "active": True}
            if row["sort_order"] is None:
                row["sort_order"] = irepo.next_sort_order(uow)
            catalogue.require_valid(catalogue.as_category(row))
            if not irepo.insert_category(uow, row):
                raise Conflict("category_exists", "该类别代码已存在", "This category code exists already",
                               {"code": row["code"]})
            irepo.note_catalogue_change(uow, row["code"], "create", None, row,
                                        caller.person_id or caller.client_id)
            uow.commit()
        return ischemas.CategoryAdminOut().dump(row)

    @rpc
    def update_category(self, caller, code, data):
        caller = Caller.from_dict(caller)
        caller.require(*catalogue.EDITORS)
        data = load(ischemas.CategoryUpdateSchema(), data)
        with self.db() as uow:
            before = irepo.get_category(uow, str(code), lock=True)
            if before is None:
                raise _category_not_found(code)
            after = catalogue.edited(before, data)
            catalogue.require_valid(catalogue.as_category(after))
            if after == before:
                return ischemas.CategoryAdminOut().dump(before)
            action = "update"
            if before["active"] != after["active"]:
                action = "reactivate" if after["active"] else "deactivate"
            irepo.update_category(uow, after)
            irepo.note_catalogue_change(uow, before["code"], action, before, after,
                                        caller.person_id or caller.client_id)
            uow.commit()
        return ischemas.CategoryAdminOut().dump(after)

    @rpc
    def catalogue_history(self, caller, filters=None):
        caller = Caller.from_dict(caller)
        caller.require(*catalogue.EDITORS, "auditor")
        query = load(ischemas.CatalogueHistoryQuery(), filters)
        with self.db() as uow:
            rows = irepo.catalogue_history(uow, query["code"], query["limit"])
        return {"items": ischemas.CatalogueChangeOut(many=True).dump(rows)}

