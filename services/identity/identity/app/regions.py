"""The division tree: a region's children, one region."""
from __future__ import annotations

from typing import Any

from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import NotFound

from ..adapters import regions
from .views import region_view


def list_regions(db: UnitOfWorkFactory, parent_code: str | None) -> list[dict[str, Any]]:
    with db() as uow:
        return [region_view(r) for r in regions.list_regions(uow, parent_code)]


def get_region(db: UnitOfWorkFactory, code: Any) -> dict[str, Any]:
    with db() as uow:
        region = regions.get_region(uow, str(code))
    if region is None:
        raise NotFound("region_not_found", "区划不存在", "No such region", {"code": code})
    return region_view(region)
