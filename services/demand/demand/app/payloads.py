"""The payloads of the events about a demand itself, as the contracts name their keys
(``contracts/events.py``); each event's schema keeps the keys it declares."""
from __future__ import annotations

from typing import Any

from ..domain.lifecycle import Demand


def demand_facts(demand: Demand) -> dict[str, Any]:
    """``demand_submitted`` and ``demand_published``."""
    return {"demand_id": demand.id, "elder_id": demand.elder_id, "category": demand.category,
            "region_code": demand.region_code, "channel": demand.channel,
            "window_start": demand.window_start, "window_end": demand.window_end,
            "expected_minutes": demand.expected_minutes,
            "volunteers_needed": demand.volunteers_needed, "location": demand.location,
            "funding_source": demand.funding_source,
            "funding_chosen_by": demand.funding_chosen_by}


def published(demand: Demand) -> dict[str, Any]:
    """``demand_published``: the facts, and when it was submitted and published."""
    return {**demand_facts(demand), "submitted_at": demand.created_at,
            "published_at": demand.reviewed_at, "fallback_reason": demand.fallback_reason,
            "funding_shortfall_minutes": demand.funding_shortfall_minutes}


def rejected(demand: Demand) -> dict[str, Any]:
    return {"demand_id": demand.id, "elder_id": demand.elder_id,
            "region_code": demand.region_code, "reason": demand.reject_reason}


def cancelled(demand: Demand) -> dict[str, Any]:
    """Who was coming (``volunteer_ids``) and when, for notify."""
    return {"demand_id": demand.id, "elder_id": demand.elder_id,
            "region_code": demand.region_code, "reason": demand.cancel_reason,
            "volunteer_ids": demand.volunteer_ids(), "window_start": demand.window_start,
            "window_end": demand.window_end}
