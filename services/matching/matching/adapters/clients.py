"""Matching's questions to the services that own the facts, each answered within the asking
process's ``<SERVICE>_RPC_TIMEOUT_SECONDS`` or refused with 503 ``<service>_unavailable``
(``timebank_common.remote.ask``). The use cases take these, so tests can pass stand-ins."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timebank_common import remote

REBUILD_TIMEOUT_FACTOR = 6
"""A page of a bulk listing for the rebuild may take this many times the RPC timeout."""


class DemandClient:
    def __init__(self, config: Mapping[str, Any], proxy: Any):
        self.config, self.proxy = config, proxy

    def _ask(self, method: str, *args: Any, timeout_factor: float = 1.0) -> Any:
        return remote.ask(self.config, self.proxy, "demand", method, *args,
                          timeout_factor=timeout_factor)

    def catalog(self) -> list[dict[str, Any]]:
        """The service categories, each with the qualification kinds it needs."""
        categories: list[dict[str, Any]] = self._ask("catalog")
        return categories

    def catalog_for_rebuild(self) -> list[dict[str, Any]]:
        """The catalogue with the rebuild's patience."""
        categories: list[dict[str, Any]] = self._ask(
            "catalog", timeout_factor=REBUILD_TIMEOUT_FACTOR)
        return categories

    def assign(self, caller: dict[str, Any], demand_id: str, volunteer_id: str) -> Any:
        """Ask demand to assign the volunteer, as ``caller``; demand's refusal passes through."""
        return self._ask("assign", caller, demand_id, volunteer_id)

    def matching_demands(self, after: str | None, limit: int) -> dict[str, Any]:
        """A page of the demands still ahead or under way (for the rebuild)."""
        page: dict[str, Any] = self._ask("matching_demands", after, limit,
                                         timeout_factor=REBUILD_TIMEOUT_FACTOR)
        return page

    def service_records(self, after: str | None, limit: int) -> dict[str, Any]:
        """A page of every service record (for the rebuild)."""
        page: dict[str, Any] = self._ask("service_records", None, None, None, None, after,
                                         limit, timeout_factor=REBUILD_TIMEOUT_FACTOR)
        return page


class IdentityClient:
    """Identity is asked by the rebuild (its bulk patience) and about where a person matching
    does not know belongs (the ordinary timeout)."""

    def __init__(self, config: Mapping[str, Any], proxy: Any):
        self.config, self.proxy = config, proxy

    def _ask(self, method: str, *args: Any, timeout_factor: float = REBUILD_TIMEOUT_FACTOR
             ) -> Any:
        return remote.ask(self.config, self.proxy, "identity", method, *args,
                          timeout_factor=timeout_factor)

    def person_standing(self, person_ids: list[str]) -> list[dict[str, Any]]:
        """Where each known person belongs now, their status and profiles (unknown ids are
        absent)."""
        answer: dict[str, Any] = self._ask("person_standing", person_ids, timeout_factor=1.0)
        items: list[dict[str, Any]] = answer["items"]
        return items

    def matching_volunteers(self, after: str | None, limit: int) -> dict[str, Any]:
        """A page of eligible volunteers with their valid qualification kinds (rebuild)."""
        page: dict[str, Any] = self._ask("matching_volunteers", after, limit)
        return page

    def priority_elders(self, region_code: str) -> list[dict[str, Any]]:
        """The priority elders of a region (rebuild)."""
        elders: list[dict[str, Any]] = self._ask("priority_elders", region_code)
        return elders
