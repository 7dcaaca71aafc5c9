"""Reconciliation of interchange, pure: what one channel (the national export, 志愿汇)
delivered per service record against what the ledger credited for it."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MISSING = "missing_from_channel"  # credited by the ledger, never delivered
MINUTES_DIFFER = "minutes_differ"  # delivered, but not the minutes credited now
NOT_CREDITED = "delivered_not_credited"  # delivered; the ledger has no credit (or it was reversed)
KINDS = (MISSING, MINUTES_DIFFER, NOT_CREDITED)


@dataclass(frozen=True)
class Difference:
    record_id: str
    ledger_minutes: int | None
    delivered_minutes: int | None
    kind: str


def differences(ledger: Mapping[str, int], delivered: Mapping[str, int]) -> list[Difference]:
    """Every record whose delivered minutes are not the ledger's, ordered by record id.

    ``ledger``: record → minutes credited now (after reversals; 0 when fully reversed).
    ``delivered``: record → minutes of its last delivery (0 for a delivered void). A record
    credited 0 and never delivered (or delivered as 0) is no difference."""
    found: list[Difference] = []
    for record_id in sorted(set(ledger) | set(delivered)):
        credited, sent = ledger.get(record_id), delivered.get(record_id)
        if sent is None:
            if credited:
                found.append(Difference(record_id, credited, None, MISSING))
        elif not credited:
            if sent:
                found.append(Difference(record_id, credited, sent, NOT_CREDITED))
        elif credited != sent:
            found.append(Difference(record_id, credited, sent, MINUTES_DIFFER))
    return found


def totals(minutes: Mapping[str, int]) -> dict[str, int]:
    """Records (with minutes) and minutes of one side."""
    return {"records": sum(1 for m in minutes.values() if m),
            "minutes": sum(int(m) for m in minutes.values())}
