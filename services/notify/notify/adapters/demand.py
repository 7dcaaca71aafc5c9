"""What notify asks demand, within ``DEMAND_RPC_TIMEOUT_SECONDS`` (else ``Unavailable``).

The catalogue's names are kept by the process for ``KEPT_SECONDS``: every published demand's
notices name its category, and the catalogue changes a few times a year (an edit shows in
notices within that time)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cachetools import TTLCache

from timebank_common import remote

KEPT_SECONDS = 300
_CATALOGUE: TTLCache[str, dict[str, dict[str, str | None]]] = TTLCache(maxsize=1,
                                                                          ttl=KEPT_SECONDS)


def forget_kept() -> None:
    """Drop the kept catalogue (tests: each has a demand of its own)."""
    _CATALOGUE.clear()


class Demand:
    def __init__(self, config: Mapping[str, Any] | None, proxy: Any):
        self.config = config
        self.proxy = proxy  # the service's RpcProxy("demand")

    def category_names(self) -> dict[str, dict[str, str | None]]:
        """Category code → its name per locale, from demand's catalogue (kept once
        answered)."""
        if "names" not in _CATALOGUE:
            catalog = remote.ask(self.config, self.proxy, "demand", "catalog")
            _CATALOGUE["names"] = {c["code"]: {"zh-CN": c.get("name_zh"), "en": c.get("name_en")}
                                   for c in catalog}
        return _CATALOGUE["names"]
