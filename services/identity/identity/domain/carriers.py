"""Service carriers (服务载体): the kinds of organisation and station that serve elders.

A carrier is registered at the community/village level it serves.
"""
from __future__ import annotations

from timebank_common.regions import COMMUNITY

from ..contracts import CARRIER_KINDS

CARRIER_LEVEL = COMMUNITY


def is_carrier_kind(code: str | None) -> bool:
    return code in CARRIER_KINDS


def kind_names(code: str) -> dict[str, str]:
    zh, en = CARRIER_KINDS.get(code, (code, code))
    return {"zh": zh, "en": en}
