"""The service records read model, pure: what each event says about one service record and how
it merges into the row, so that the row does not depend on the order the events arrive in.

* ``service_recorded`` (demand) brings the record's own fields (who, where, what, how long,
  when); only it sets them.
* ``hours_credited`` (ledger) brings the credit: ``transfer_id``, ``credited_at`` and the
  credited minutes — unless a correction is already known (a correction is always later).
* ``credit_corrected`` (ledger) sets the credited minutes after the correction; of several,
  the one that occurred last wins (``corrected_at``; at the same instant, the larger), so
  replaying them in any order gives the same minutes.

``version`` counts the events merged into the row (each changes an exported field), so it
goes up on every change and ends the same in any order; the inbox keeps a redelivered event
from counting twice."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from timebank_common.clock import china_date

RECORD_FIELDS = ("demand_id", "volunteer_id", "elder_id", "region_code",
                 "volunteer_region_code", "carrier_id", "category", "funding_source",
                 "recorded_minutes", "started_at", "ended_at", "recorded_at", "recorded_by",
                 "day")
CREDIT_FIELDS = ("credited_minutes", "transfer_id", "credited_at", "corrected_at")
FIELDS = RECORD_FIELDS + CREDIT_FIELDS + ("version",)

RECORDED, CREDITED, CORRECTED = "service_recorded", "hours_credited", "credit_corrected"
CONSUMED = (RECORDED, CREDITED, CORRECTED)


def _instant(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


@dataclass(frozen=True)
class Fact:
    """What one event says about one record."""

    event_type: str
    record_id: str
    occurred_at: dt.datetime
    values: Mapping[str, Any] = field(default_factory=dict)


def fact_of(envelope: Mapping[str, Any]) -> Fact | None:
    """The record fact of a consumed envelope (None: the event names no service record)."""
    payload = envelope["payload"]
    event_type = envelope["event_type"]
    record_id = payload.get("record_id")
    if event_type not in CONSUMED or not record_id:
        return None
    occurred = _instant(envelope["occurred_at"])
    assert occurred is not None
    if event_type == RECORDED:
        values = {
            "demand_id": payload.get("demand_id"), "volunteer_id": payload.get("volunteer_id"),
            "elder_id": payload.get("elder_id"),
            "region_code": envelope.get("region_code") or payload.get("region_code"),
            "volunteer_region_code": payload.get("volunteer_region_code"),
            "carrier_id": payload.get("carrier_id"), "category": payload.get("category"),
            "funding_source": payload.get("funding_source") or "issuance",
            "recorded_minutes": payload.get("minutes"),
            "started_at": _instant(payload.get("started_at")),
            "ended_at": _instant(payload.get("ended_at")),
            "recorded_at": _instant(payload.get("recorded_at")),
            "recorded_by": payload.get("recorded_by"), "day": china_date(occurred)}
    elif event_type == CREDITED:
        values = {"credited_minutes": payload["minutes"], "transfer_id": payload["transfer_id"],
                  "credited_at": occurred}
    else:
        values = {"credited_minutes": payload["credited_minutes"], "corrected_at": occurred}
    return Fact(event_type, str(record_id), occurred, values)


def _later(fact: Fact, row: Mapping[str, Any]) -> bool:
    """Is this correction later than the one the row holds (if any)?"""
    if row.get("corrected_at") is None:
        return True
    return ((fact.occurred_at, fact.values["credited_minutes"])
            > (row["corrected_at"], row.get("credited_minutes") or 0))


def merge(row: Mapping[str, Any] | None, fact: Fact) -> dict[str, Any]:
    """The row after ``fact`` (``row``: the fields of ``FIELDS`` as stored, None if absent)."""
    merged: dict[str, Any] = {name: None for name in FIELDS}
    if row is not None:
        merged.update({name: row.get(name) for name in FIELDS})
    merged["version"] = (merged["version"] or 0) + 1
    if fact.event_type == RECORDED:
        merged.update(fact.values)
    elif fact.event_type == CREDITED:
        merged["transfer_id"] = fact.values["transfer_id"]
        merged["credited_at"] = fact.values["credited_at"]
        if merged["corrected_at"] is None:  # a correction known already is the later truth
            merged["credited_minutes"] = fact.values["credited_minutes"]
    elif _later(fact, merged):
        merged.update(fact.values)
    return merged
