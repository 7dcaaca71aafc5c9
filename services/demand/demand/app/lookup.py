"""Finding what an RPC argument names: a clear 404 for a malformed or unknown id."""
from __future__ import annotations

import uuid
from typing import Any

from timebank_common.caller import Caller
from timebank_common.errors import NotFound

from ..domain.lifecycle import Demand


def demand_id(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise NotFound("demand_not_found", "需求不存在", "No such demand",
                       {"demand_id": value}) from None


def require_found(demand: Demand | None, demand_id: str) -> Demand:
    if demand is None:
        raise demand_not_found(demand_id)
    return demand


def demand_not_found(demand_id: str) -> NotFound:
    return NotFound("demand_not_found", "需求不存在", "No such demand", {"demand_id": demand_id})


def require_reach(caller: Caller, region_code: str | None, not_found: NotFound) -> None:
    """Something the caller names by id but whose region is outside their scope answers
    exactly as an id nobody has (``not_found``): its existence is not revealed."""
    if not caller.covers(region_code):
        raise not_found


def uuid_or_404(value: Any, code: str, zh: str, en: str) -> str:
    """``value`` as a canonical UUID string, or NotFound(code) — never a 500 for a bad id."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise NotFound(code, zh, en, {"id": value}) from None


def location(data: dict[str, Any]) -> dict[str, float] | None:
    """``{lat, lng}`` from a payload's ``lat``/``lng``, or None when either is missing."""
    if data.get("lat") is None or data.get("lng") is None:
        return None
    return {"lat": data["lat"], "lng": data["lng"]}
