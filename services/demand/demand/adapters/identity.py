"""The questions demand asks ``identity`` (elders, volunteers, relatives, proxies), each
answered within ``IDENTITY_RPC_TIMEOUT_SECONDS`` of demand's configuration (default 5), else
503 ``identity_unavailable`` (``timebank_common.remote.ask``): an identity queue nobody
consumes never hangs a station's request. Asked before a use case opens its transaction, so
no row lock waits on a call."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timebank_common import remote


class IdentityClient:
    """``IdentityClient(config, proxy)``: ``proxy`` is the service's ``RpcProxy("identity")``
    (or, in a test, any object with identity's methods)."""

    def __init__(self, config: Mapping[str, Any] | None, proxy: Any):
        self._config = config
        self._proxy = proxy

    def _ask(self, method: str, *args: Any) -> Any:
        return remote.ask(self._config, self._proxy, "identity", method, *args)

    def get_elder(self, reader: dict[str, Any], elder_id: str) -> dict[str, Any]:
        """The elder's record as ``reader`` (a caller dict) may read it; 404 without an elder
        profile."""
        return self._ask("get_elder", reader, elder_id)

    def check_volunteer(self, person_id: str) -> dict[str, Any]:
        """``{person_id, region_code, eligible, reasons, qualifications?}``."""
        return self._ask("check_volunteer", person_id)

    def may_act_for(self, person_id: str | None, elder_id: str) -> Any:
        """Truthy when ``person_id`` is a proxy of the elder."""
        return self._ask("may_act_for", person_id, elder_id)

    def elders_acted_for(self, person_id: str | None) -> list[str]:
        return list(self._ask("elders_acted_for", person_id))

    def are_direct_relatives(self, volunteer_id: str, elder_id: str) -> bool:
        return bool(self._ask("are_direct_relatives", volunteer_id, elder_id).get("related"))
