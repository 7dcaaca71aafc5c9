"""The question reporting asks the ledger: what it credited per service record (its internal
RPC ``service_credits``), for a region and period in pages, or for given records."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ledger.contracts.reconciliation import ServiceCreditsOut
from timebank_common import remote
from timebank_common.contracts import conforms

PAGE = 1000


class LedgerCredits:
    """``proxy``: the service's ``RpcProxy("ledger")`` (or a cluster proxy's ``ledger``); an
    answer not within ``LEDGER_RPC_TIMEOUT_SECONDS`` (× 3: a page of a bulk listing) is 503
    ``ledger_unavailable``."""

    def __init__(self, config: Any, proxy: Any):
        self.config, self.proxy = config, proxy

    def _ask(self, query: dict[str, Any]) -> dict[str, Any]:
        answer = remote.ask(self.config, self.proxy, "ledger", "service_credits", query,
                            timeout_factor=3)
        problems = conforms(ServiceCreditsOut, answer)
        if problems:
            raise ValueError(f"ledger's service_credits answered outside its contract: "
                             f"{problems}")
        return dict(answer)

    def in_period(self, region_code: str, first: dt.date, last: dt.date) -> dict[str, int]:
        """record → credited minutes (net of reversals) of the credits the region's issuance
        posted on China days ``first``..``last``."""
        found: dict[str, int] = {}
        after = None
        while True:
            answer = self._ask({"region_code": region_code, "period_from": first.isoformat(),
                                "period_to": last.isoformat(), "after": after,
                                "limit": PAGE})
            found.update((i["record_id"], int(i["credited_minutes"])) for i in answer["items"])
            after = answer.get("next_after")
            if not after:
                return found

    def of_records(self, record_ids: Iterable[str]) -> dict[str, int]:
        ids = sorted(set(record_ids))
        found: dict[str, int] = {}
        for i in range(0, len(ids), PAGE):
            answer = self._ask({"record_ids": ids[i:i + PAGE]})
            found.update((i["record_id"], int(i["credited_minutes"])) for i in answer["items"])
        return found
