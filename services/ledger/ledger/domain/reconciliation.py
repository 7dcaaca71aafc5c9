"""Reconciliation of ledger service credits with demand's service records (pure).

Inputs, all for one region prefix and period:

* ``records``: demand's service records of the region recorded in the period
  (``{record_id, demand_id, volunteer_id, minutes, recorded_at, region_code}``);
* ``credits``: the ledger's service credits for those records and the credits posted in the
  period that might belong to the region (``Credit``), keyed by record id;
* ``elsewhere``: record ids of credits not in ``records`` that demand knows but that belong to
  another region or period (they are reconciled there, not here).

The expected credit of a record is its ``minutes`` unless ``expected`` says otherwise: the seam
for a rounding policy (``expected(record) -> (minutes, reason)``, e.g. ``(60, "rounding")``).
A difference the seam explains is listed with its reason and ``explained: true``; anything else
is a discrepancy. A reversal (a dispute outcome) is not a discrepancy: it is reported as
``reversed_minutes`` next to the credit.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Credit:
    record_id: str
    transfer_id: str
    volunteer_id: str | None
    minutes: int
    reversed_minutes: int = 0
    recorded_minutes: int | None = None  # what the credit says was recorded, when policy changed it


def as_recorded(record: dict[str, Any]) -> tuple[int, str | None]:
    """No rounding policy: the ledger should credit exactly the recorded minutes."""
    return record["minutes"], None


Expected = Callable[[dict[str, Any]], tuple[int, str | None]]


def as_credited_by_policy(credits: dict[str, Credit]) -> Expected:
    """The ledger's own policy (rounding, yearly cap) explains a credit that differs from the
    record when the credit itself says it was made for exactly the recorded minutes."""
    def expected(record: dict[str, Any]) -> tuple[int, str | None]:
        credit = credits.get(record["record_id"])
        if credit is not None and credit.recorded_minutes == record["minutes"]:
            return credit.minutes, "policy_rounding_or_yearly_cap"
        return record["minutes"], None
    return expected


def reconcile(records: Iterable[dict[str, Any]], credits: dict[str, Credit],
              elsewhere: Iterable[str] = (), expected: Expected = as_recorded) -> dict[str, Any]:
    by_id = {r["record_id"]: r for r in records}
    other_places = set(elsewhere)
    missing: list[dict[str, Any]] = []
    differences: list[dict[str, Any]] = []
    recorded_total = credited_total = reversed_total = 0
    for record_id in sorted(by_id):
        record = by_id[record_id]
        recorded_total += record["minutes"]
        credit = credits.get(record_id)
        if credit is None:
            missing.append({"record_id": record_id, "demand_id": record["demand_id"],
                            "volunteer_id": record["volunteer_id"],
                            "minutes": record["minutes"],
                            "recorded_at": record.get("recorded_at")})
            continue
        credited_total += credit.minutes
        reversed_total += credit.reversed_minutes
        should, reason = expected(record)
        if credit.minutes != record["minutes"]:
            differences.append({
                "record_id": record_id, "transfer_id": credit.transfer_id,
                "recorded_minutes": record["minutes"], "credited_minutes": credit.minutes,
                "difference": credit.minutes - record["minutes"],
                "reason": reason if credit.minutes == should else None,
                "explained": credit.minutes == should,
                "reversed_minutes": credit.reversed_minutes})
    orphans = [{"record_id": c.record_id, "transfer_id": c.transfer_id,
                "volunteer_id": c.volunteer_id, "minutes": c.minutes,
                "reversed_minutes": c.reversed_minutes}
               for record_id, c in sorted(credits.items())
               if record_id not in by_id and record_id not in other_places]
    unexplained = [d for d in differences if not d["explained"]]
    return {
        "records_without_credit": missing,
        "credits_without_record": orphans,
        "amount_differences": differences,
        "totals": {
            "records": len(by_id), "recorded_minutes": recorded_total,
            "credited_records": len(by_id) - len(missing), "credited_minutes": credited_total,
            "reversed_minutes": reversed_total,
            "records_without_credit": len(missing),
            "credits_without_record": len(orphans),
            "amount_differences": len(differences),
        },
        "ok": not missing and not orphans and not unexplained,
    }
