"""An event as the use cases see it."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Received:
    """A consumed event: its id (the source of the messages it makes, so a redelivery makes
    nothing twice), the region of its envelope, and its payload as notify reads it: loaded
    with the producer's contract, its instants as ISO 8601 text (as a message's ``data``
    keeps them)."""

    event_id: str
    payload: dict[str, Any]
    region_code: str | None = None

    @classmethod
    def of(cls, envelope: Mapping[str, Any]) -> Received:
        """From an envelope a handler read with the producer's contract
        (``CONTRACT.load_event(event)``)."""
        payload = {key: value.isoformat() if isinstance(value, dt.datetime) else value
                   for key, value in envelope["payload"].items()}
        return cls(str(envelope["event_id"]), payload, envelope.get("region_code"))
