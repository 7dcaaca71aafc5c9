"""Which person an event concerns and what values its message shows, per event type.

Each builder turns an event payload into a ``Notice``: the recipient, their role
(which picks the template), placeholder values for each locale, and the data a
client needs to link the message to its subject.
"""
from __future__ import annotations

from dataclasses import dataclass

from .formatting import LOCALES, format_minutes, format_window

HOURS_CREDITED = "hours_credited"
DEMAND_ASSIGNED = "demand_assigned"


@dataclass(frozen=True)
class Notice:
    kind: str
    person_id: str
    role: str
    values: dict[str, dict]  # locale -> placeholder values
    data: dict


def hours_credited(payload: dict) -> Notice:
    """Ledger credited a person's account: tell them how much and their new balance."""
    values = {
        locale: {
            "minutes": format_minutes(payload["minutes"], locale),
            "balance": format_minutes(payload["balance_minutes"], locale),
        }
        for locale in LOCALES
    }
    data = {key: payload.get(key) for key in
            ("transfer_id", "minutes", "balance_minutes", "kind", "record_id", "demand_id")}
    return Notice(HOURS_CREDITED, str(payload["person_id"]), "volunteer", values, data)


def demand_assigned(payload: dict) -> Notice:
    """A volunteer got a demand (claimed or assigned): confirm it with the time window."""
    values = {
        locale: {"window": format_window(payload["window_start"], payload["window_end"], locale)}
        for locale in LOCALES
    }
    data = {key: payload.get(key) for key in ("demand_id", "window_start", "window_end")}
    return Notice(DEMAND_ASSIGNED, str(payload["volunteer_id"]), "volunteer", values, data)
