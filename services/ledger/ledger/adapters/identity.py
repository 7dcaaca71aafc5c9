"""The questions the ledger asks identity (giving, pool allocation, certificates), each within
``IDENTITY_RPC_TIMEOUT_SECONDS`` of the ledger's configuration (default 5), else 503
``identity_unavailable`` (``timebank_common.remote.ask``): the ledger never hangs on identity.
A refusal identity answers (its own 403/404) passes through unchanged."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timebank_common import remote
from timebank_common.caller import Caller


class IdentityClient:
    def __init__(self, config: Mapping[str, Any] | None, proxy: Any):
        self.config, self.proxy = config, proxy

    def _ask(self, method: str, *args: Any) -> Any:
        return remote.ask(self.config, self.proxy, "identity", method, *args)

    def get_person(self, caller: Caller, person_id: str) -> dict:
        """The person as ``caller`` may see them (masked); identity refuses a caller who may
        not (403/404)."""
        return self._ask("get_person", caller.to_dict(), person_id)

    def carrier_name(self, caller: Caller, carrier_id: str) -> str:
        return self._ask("get_carrier", caller.to_dict(), carrier_id)["name"]

    def region_name(self, region_code: str) -> str:
        return self._ask("get_region", region_code)["name"]

    def may_act_for(self, person_id: str | None, elder_id: str) -> bool:
        return bool(self._ask("may_act_for", person_id, elder_id))

    def are_direct_relatives(self, person_a: str, person_b: str) -> bool:
        return bool(self._ask("are_direct_relatives", person_a, person_b).get("related"))

    def priority_elders(self, region_code: str) -> list[dict]:
        """``[{person_id, region_code, categories, birth_date, phone_only}]`` of the region."""
        return self._ask("priority_elders", region_code)

    def standing(self, person_ids: list[str]) -> dict[str, dict]:
        """Where each KNOWN person belongs now and their standing (``{person_id: {region_code,
        status, profiles, carrier_id}}``); an unknown id is absent."""
        if not person_ids:
            return {}
        answer = self._ask("person_standing", sorted(set(person_ids)))
        return {item["person_id"]: item for item in answer["items"]}
