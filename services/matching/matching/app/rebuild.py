"""Rebuilding the read models from the services that own the facts.

Everything is fetched first (paged internal RPCs, each with a timeout), then the read models
are replaced in one transaction: a service that does not answer leaves the old model in place.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Protocol

from timebank_common.db import UnitOfWorkFactory

from ..adapters import catalogue, read_models

PROVINCE = "130000000000"
PAGE = 1000

Page = dict[str, Any]


class IdentityListings(Protocol):
    """What the rebuild asks identity (``adapters.clients.IdentityClient``)."""

    def matching_volunteers(self, after: str | None, limit: int) -> Page: ...
    def priority_elders(self, region_code: str) -> list[dict[str, Any]]: ...


class DemandListings(Protocol):
    """What the rebuild asks demand (``adapters.clients.DemandClient``)."""

    def matching_demands(self, after: str | None, limit: int) -> Page: ...
    def service_records(self, after: str | None, limit: int) -> Page: ...
    def catalog_for_rebuild(self) -> list[dict[str, Any]]: ...


def fetch_pages(call: Callable[[str | None, int], Page]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = None
    while True:
        page = call(after, PAGE)
        items += page["items"]
        after = page.get("next_after")
        if not after:
            return items


def rebuild_read_models(db: UnitOfWorkFactory, identity: IdentityListings,
                        demand: DemandListings, now: dt.datetime) -> dict[str, int]:
    """Drop the read models and reload them from identity and demand (matching's own data
    stays); ``{volunteers, open_demands, assignments, priority_elders, service_records}``.
    Every process then rebuilds its in-memory views."""
    people = fetch_pages(identity.matching_volunteers)
    priority = {e["person_id"]: e["categories"] for e in identity.priority_elders(PROVINCE)}
    demands = fetch_pages(demand.matching_demands)
    records = fetch_pages(demand.service_records)
    categories = demand.catalog_for_rebuild()
    with db() as uow:
        catalogue.save_catalogue(uow, categories)
        counts = read_models.replace_read_models(uow, people, demands, records, priority, now)
        uow.commit()
    return counts
