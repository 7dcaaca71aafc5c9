"""The service catalogue's RPCs."""
from __future__ import annotations

from timebank_common.caller import Caller
from timebank_common.service import rpc

from ..app import catalogue
from ..contracts import (
    CatalogueHistoryOut,
    CatalogueHistoryQuery,
    CatalogueOut,
    CatalogueQuery,
    CategoryAdminOut,
    CategoryCreateSchema,
    CategoryOut,
    CategoryUpdateSchema,
)
from .base import EntrypointBase, given


class CatalogueEntrypoints(EntrypointBase):
    @rpc(returns=CategoryOut(many=True))
    def catalog(self):
        """The active categories (the ledger names certificate lines with them)."""
        return catalogue.active_categories(self.db)

    @rpc(args={"filters": CatalogueQuery}, returns=CatalogueOut)
    def catalog_page(self, viewer=None, filters=None):
        """``{categories, not_offered}``: the catalogue as the submit form shows it; staff may
        ask for withdrawn categories too (``include_inactive``). ``viewer``: the caller, or
        None for anyone."""
        return catalogue.catalogue_page(self.db, Caller.from_dict(viewer) if viewer else None,
                                        given(filters, CatalogueQuery))

    @rpc(args={"data": CategoryCreateSchema}, returns=CategoryAdminOut, idempotent=True)
    def create_category(self, caller, data):
        """A new category (province admins); 409 ``category_exists``."""
        return catalogue.create_category(self.db, caller, data, self.clock.now())

    @rpc(args={"data": CategoryUpdateSchema}, returns=CategoryAdminOut)
    def update_category(self, caller, code, data):
        """Edit a category (province admins); ``active: false`` withdraws it."""
        return catalogue.update_category(self.db, caller, code, data, self.clock.now())

    @rpc(args={"filters": CatalogueHistoryQuery}, returns=CatalogueHistoryOut)
    def catalogue_history(self, caller, filters=None):
        """Who changed the catalogue, newest first (province admins, auditors)."""
        return catalogue.catalogue_history(self.db, caller,
                                           given(filters, CatalogueHistoryQuery))
