"""/api/v1/catalog: the service catalogue (demand), edited by province admins."""
from demand.contracts import (
    CATALOGUE_EDITORS,
    NOT_OFFERED_TEXT,
    CatalogueHistoryOut,
    CatalogueHistoryQuery,
    CatalogueOut,
    CatalogueQuery,
    CategoryAdminOut,
    CategoryCreateSchema,
    CategoryUpdateSchema,
)

from ..routing import route

EDITORS = list(CATALOGUE_EDITORS)


class CatalogRoutes:
    @route("GET", "/api/v1/catalog",
           summary=f"服务目录 Service catalogue. {NOT_OFFERED_TEXT}", tags=["catalog"],
           query=CatalogueQuery, response=CatalogueOut)
    def catalog(self, request, caller, query):
        return self.demand.catalog_page(caller, query)

    @route("POST", "/api/v1/catalog", summary="新增服务类别 Add a category (province admins)",
           tags=["catalog"], body=CategoryCreateSchema, response=CategoryAdminOut, status=201,
           roles=EDITORS, idempotent=True)
    def create_category(self, request, caller, body, idempotency_key):
        return self.demand.create_category(caller, body, idempotency_key=idempotency_key)

    @route("PATCH", "/api/v1/catalog/<code>",
           summary="修改、停用或恢复服务类别 Edit, withdraw (active: false) or restore a category",
           tags=["catalog"], body=CategoryUpdateSchema, response=CategoryAdminOut, roles=EDITORS)
    def update_category(self, request, caller, code, body):
        return self.demand.update_category(caller, code, body)

    @route("GET", "/api/v1/catalog/history", summary="服务目录变更记录 Who changed the catalogue",
           tags=["catalog"], query=CatalogueHistoryQuery, response=CatalogueHistoryOut,
           roles=[*EDITORS, "auditor"])
    def catalogue_history(self, request, caller, query):
        return self.demand.catalogue_history(caller, query)
