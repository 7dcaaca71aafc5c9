"""What notify asks demand, within ``DEMAND_RPC_TIMEOUT_SECONDS`` (else ``Unavailable``)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timebank_common import remote


class Demand:
    def __init__(self, config: Mapping[str, Any] | None, proxy: Any):
        self.config = config
        self.proxy = proxy  # the service's RpcProxy("demand")

    def category_names(self) -> dict[str, dict[str, str | None]]:
        """Category code → its name per locale, from demand's catalogue."""
        catalog = remote.ask(self.config, self.proxy, "demand", "catalog")
        return {c["code"]: {"zh-CN": c.get("name_zh"), "en": c.get("name_en")}
                for c in catalog}
