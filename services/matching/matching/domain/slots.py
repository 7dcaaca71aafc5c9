"""Keeping the open-slot count right when events arrive out of order.

``demand_published`` and ``demand_assigned`` come through different queues, so an
assignment may be handled before the publication it follows. The read model keeps
the latest slot count it has heard of (by the event's ``occurred_at``) and applies
it when the publication arrives.
"""
from __future__ import annotations


def slots_on_publish(volunteers_needed: int, known_open_slots: int | None) -> int:
    """Open slots for a just-published demand, given any later count already heard."""
    if known_open_slots is None:
        return volunteers_needed
    return max(0, min(volunteers_needed, known_open_slots))

