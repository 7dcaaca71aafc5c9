"""The questions the ledger asks demand: the catalogue's category names (certificates) and the
service records of a region and period (reconciliation)."""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from demand.contracts import ServiceRecordRowOut
from timebank_common import remote
from timebank_common.contracts import conforms

from ..domain.certificates import code_as_name

log = logging.getLogger(__name__)

RECORDS_PAGE = 1000  # service records per answer of demand's ``service_records``


_RECORD = ServiceRecordRowOut()  # demand's answer, as demand declares it
_RECORD_KEYS = tuple(_RECORD.fields)


def _record(item: Mapping[str, Any]) -> dict[str, Any]:
    """One record of demand's answer, as sent (times stay ISO text in the report)."""
    problems = conforms(ServiceRecordRowOut, item)
    if problems:
        raise ValueError(f"demand's service_records answered outside its contract: {problems}")
    return {key: item.get(key) for key in _RECORD_KEYS}


class DemandClient:
    """``proxy``: the service's ``RpcProxy("demand")`` (or, in a command, a cluster proxy's
    ``demand``)."""

    def __init__(self, config: Mapping[str, Any] | None, proxy: Any):
        self.config, self.proxy = config, proxy

    def category_names(self) -> Callable[[str], tuple[str, str]]:
        """Category code -> (name_zh, name_en) from demand's catalogue, asked within
        ``DEMAND_RPC_TIMEOUT_SECONDS`` (default 5) like every remote question; the code
        itself for both when demand does not answer (a certificate is issued all the same)."""
        try:
            catalogue = remote.ask(self.config, self.proxy, "demand", "catalog")
            names = {c["code"]: (c["name_zh"], c["name_en"]) for c in catalogue}
        except Exception as exc:  # noqa: BLE001 — a missing name must not stop a certificate
            log.warning("no category names for certificate: %r", exc)
            names = {}
        return lambda code: names.get(code, code_as_name(code))

    def service_records(self, **filters: Any) -> list[dict]:
        """Every record demand returns for ``filters`` (``region_prefix``, ``period_from``,
        ``period_to`` or ``record_ids``), page by page (``after`` = the last id). A bulk
        listing: it waits as long as the RPC proxy does, not the short remote timeout."""
        out: list[dict] = []
        after = None
        while True:
            page = self.proxy.service_records(**filters, after=after, limit=RECORDS_PAGE)
            out.extend(_record(item) for item in page["items"])
            after = page.get("next_after")
            if not after:
                return out
