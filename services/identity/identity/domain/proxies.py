"""Who may be an elder's proxy (代理人): like a guardian account, a person who acts for the
elder. A proxy is a verified direct relative of the elder (``domain.relatives``); the elder's
station acts for them through its station operators without being named a proxy."""
from __future__ import annotations

from collections.abc import Iterable

_REASONS = {
    "self_proxy": ("老人不能成为自己的代理人", "An elder cannot be their own proxy"),
    "not_verified_relative": ("代理人须为已核实的直系亲属，请先登记并核实亲属关系",
                              "A proxy must be a verified direct relative; link and verify "
                              "the relationship first"),
}


class ProxyRefused(ValueError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.zh, self.en = _REASONS[reason]
        super().__init__(f"{reason}: {self.en}")


def check_proxy(elder_id: str, proxy_person_id: str, verified_relative: bool) -> None:
    """Raise ``ProxyRefused`` unless ``proxy_person_id`` may act for ``elder_id``."""
    if str(elder_id) == str(proxy_person_id):
        raise ProxyRefused("self_proxy")
    if not verified_relative:
        raise ProxyRefused("not_verified_relative")


def station_acts_for(operator_carrier_ids: Iterable[object], elder_carrier_id: object) -> bool:
    """A station operator acts for the elders bound to their own station."""
    return elder_carrier_id is not None and str(elder_carrier_id) in {
        str(c) for c in operator_carrier_ids if c is not None}
