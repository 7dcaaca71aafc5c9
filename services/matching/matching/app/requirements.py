"""The qualification kinds each category needs: demand's catalogue, cached in matching's own
table and asked again when a category is not known yet."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol

from timebank_common.db import UnitOfWork

from ..adapters import catalogue
from ..domain.candidates import DemandToMatch


class Catalogue(Protocol):
    def catalog(self) -> list[dict[str, Any]]: ...


def requirements(uow: UnitOfWork, demand: Catalogue, codes: set[str]
                 ) -> dict[str, frozenset[str]]:
    """The qualification kinds each of these categories needs (demand's catalogue, cached in
    ``category_requirements``; asked again when a category is not known); a category the
    catalogue does not list needs none. Asking commits what came back."""
    known = catalogue.category_requirements_of(uow, codes)
    if codes - known.keys():
        catalogue.save_catalogue(uow, demand.catalog())
        uow.commit()
        known = catalogue.category_requirements_of(uow, codes)
    return {code: frozenset(known.get(code, ())) for code in codes}


def with_requirements(uow: UnitOfWork, demand: Catalogue, demands: list[DemandToMatch]
                      ) -> list[DemandToMatch]:
    """The demands with the qualification kinds their category needs as well."""
    needs = requirements(uow, demand, {d.category for d in demands if d.category})
    return [replace(d, qualifications=d.qualifications | needs.get(d.category, frozenset()))
            for d in demands]
