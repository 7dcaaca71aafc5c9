"""Small helpers every demand entrypoint module shares: ids, not-found, locations."""
from __future__ import annotations

import uuid

from timebank_common.errors import NotFound

from .domain.lifecycle import Demand


def demand_id(value) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise NotFound("demand_not_found", "需求不存在", "No such demand",
                       {"demand_id": value}) from None


def require_found(demand: Demand | None, demand_id: str) -> Demand:
    if demand is None:
        raise NotFound("demand_not_found", "需求不存在", "No such demand", {"demand_id": demand_id})
    return demand


def location(data: dict) -> dict | None:
    if data.get("lat") is None or data.get("lng") is None:
        return None
    return {"lat": data["lat"], "lng": data["lng"]}
