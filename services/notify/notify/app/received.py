"""An event as the use cases see it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Received:
    """A consumed event: its id (the source of the messages it makes, so a redelivery makes
    nothing twice), the region of its envelope, and its payload as notify reads it
    (``entrypoints/consumed.py``)."""

    event_id: str
    payload: dict[str, Any]
    region_code: str | None = None
