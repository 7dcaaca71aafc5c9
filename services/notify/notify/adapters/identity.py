"""What notify asks identity (its internal RPCs), within ``IDENTITY_RPC_TIMEOUT_SECONDS``;
no answer is ``Unavailable`` (503 ``identity_unavailable``), and the use case decides what
to do without one.

Names for message texts and communities' names are kept by the process for
``KEPT_SECONDS`` (``names``, ``region_name``): nearly every event's messages greet someone by
name, and asking identity each time made ``person_names`` one of identity's busiest RPCs under
a province's load. A renamed person is greeted by the old name for at most that long.
Contact details are never kept (asked at send time).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cachetools import TTLCache

from timebank_common import remote

from ..domain.delivery import Contact

KEPT_SECONDS = 300
_NAMES: TTLCache[str, str] = TTLCache(maxsize=100_000, ttl=KEPT_SECONDS)
_REGION_NAMES: TTLCache[str, str | None] = TTLCache(maxsize=10_000, ttl=KEPT_SECONDS)


def forget_kept() -> None:
    """Drop what is kept (tests: each has an identity of its own)."""
    _NAMES.clear()
    _REGION_NAMES.clear()


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
        """Names for a message text (``person_names``: no sealed data read), those kept
        from an earlier answer not asked again; asks nothing when all are kept."""
        ids = [str(p) for p in dict.fromkeys(person_ids) if p]
        names = {i: _NAMES[i] for i in ids if i in _NAMES}
        missing = [i for i in ids if i not in names]
        if missing:
            answered: dict[str, str] = self._ask("person_names", missing)["names"]
            _NAMES.update(answered)
            names.update(answered)
        return names

    def station_staff(self, carrier_id: str | None, township_code: str | None) -> list[str]:
        """The operators of a station and/or the admins of a township."""
        answer = self._ask("station_staff", carrier_id, township_code)
        return [item["person_id"] for item in answer["items"]]

    def region_name(self, region_code: str) -> str | None:
        """A region's name ("育才社区居委会"), kept once answered; ``NotFound`` for an
        unknown code."""
        if region_code not in _REGION_NAMES:
            _REGION_NAMES[region_code] = self._ask("get_region", region_code).get("name")
        return _REGION_NAMES[region_code]

    def qualifications_expiring(self, days: int) -> list[dict[str, Any]]:
        """Verified qualifications running out within ``days`` that were not told yet."""
        items: list[dict[str, Any]] = self._ask("qualifications_expiring", None, int(days))["items"]
        return items
