"""What notify asks identity (its internal RPCs), within ``IDENTITY_RPC_TIMEOUT_SECONDS``;
no answer is ``Unavailable`` (503 ``identity_unavailable``), and the use case decides what
to do without one."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from timebank_common import remote

from ..domain.delivery import Contact


class Identity:
    def __init__(self, config: Mapping[str, Any] | None, proxy: Any):
        self.config = config
        self.proxy = proxy  # the service's RpcProxy("identity")

    def _ask(self, method: str, *args: Any) -> Any:
        return remote.ask(self.config, self.proxy, "identity", method, *args)

    def contacts(self, person_ids: Iterable[str]) -> dict[str, Contact]:
        """identity's contact details (phone decrypted and audited there), never stored
        here."""
        answer = self._ask("contact_details", [str(p) for p in person_ids])
        return {item["person_id"]: Contact(
            person_id=item["person_id"], name=item["name"], phone=item.get("phone"),
            phone_only=bool(item.get("phone_only")), carrier_id=item.get("carrier_id"),
            region_code=item.get("region_code"), is_elder=bool(item.get("is_elder")))
            for item in answer["items"]}

    def names(self, person_ids: Iterable[str | None]) -> dict[str, str]:
        """Names for a message text (``person_names``: no sealed data read); asks nothing
        for no ids."""
        ids = [str(p) for p in dict.fromkeys(person_ids) if p]
        if not ids:
            return {}
        names: dict[str, str] = self._ask("person_names", ids)["names"]
        return names

    def station_staff(self, carrier_id: str | None, township_code: str | None) -> list[str]:
        """The operators of a station and/or the admins of a township."""
        answer = self._ask("station_staff", carrier_id, township_code)
        return [item["person_id"] for item in answer["items"]]

    def region_name(self, region_code: str) -> str | None:
        """A region's name ("育才社区居委会"); ``NotFound`` for an unknown code."""
        name: str | None = self._ask("get_region", region_code).get("name")
        return name

    def qualifications_expiring(self, days: int) -> list[dict[str, Any]]:
        """Verified qualifications running out within ``days`` that were not told yet."""
        items: list[dict[str, Any]] = self._ask("qualifications_expiring", None, int(days))["items"]
        return items
