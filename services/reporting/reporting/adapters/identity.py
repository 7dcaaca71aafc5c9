"""What reporting asks identity: display names of people, regions and stations, and the
division tree (which regions get a report on the 1st). Each question within
``IDENTITY_RPC_TIMEOUT_SECONDS`` (``timebank_common.remote.ask``: 503 ``identity_unavailable``
rather than a hang)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from timebank_common import remote

CHUNK = 500  # identity's limit per question


class IdentityNames:
    """``proxy``: the service's ``RpcProxy("identity")`` (or an export's ``ctx.rpc("identity")``)."""

    def __init__(self, proxy: Any, config: Mapping[str, Any] | None = None):
        self.proxy, self.config = proxy, config

    def _ask(self, method: str, *args: Any) -> Any:
        return remote.ask(self.config, self.proxy, "identity", method, *args)

    def person_names(self, person_ids: Iterable[str]) -> dict[str, str]:
        ids, names = list(dict.fromkeys(person_ids)), {}
        for i in range(0, len(ids), CHUNK):
            names.update(self._ask("person_names", ids[i:i + CHUNK])["names"])
        return names

    def place_names(self, region_codes: Iterable[str] = (),
                    carrier_ids: Iterable[str] = ()) -> tuple[dict[str, str], dict[str, str]]:
        codes, ids = list(dict.fromkeys(region_codes)), list(dict.fromkeys(carrier_ids))
        regions: dict[str, str] = {}
        carriers: dict[str, str] = {}
        for i in range(0, max(len(codes), len(ids), 1), CHUNK):
            if not codes[i:i + CHUNK] and not ids[i:i + CHUNK]:
                break
            answer = self._ask("place_names", codes[i:i + CHUNK], ids[i:i + CHUNK])
            regions.update(answer["regions"])
            carriers.update(answer["carriers"])
        return regions, carriers

    def children(self, code: str | None) -> list[str]:
        """The codes one level below ``code``."""
        return [r["code"] for r in self._ask("list_regions", code)]
