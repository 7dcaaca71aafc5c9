"""Ledger figures for supervisors (pure): minutes moved in a period, per region prefix, with
a breakdown one level down.

**Which region a movement counts in**: where it happened — a service in the demand's region,
otherwise the region of the *person's* (or pool's) account it concerns **at the time** (an
account that followed its owner elsewhere later leaves its history where it was), never the
issuance account's (a city-level unit pays for every district):

| figure | transfers | counted in the region of |
|---|---|---|
| ``deposited`` | ``service_credit`` | where the service happened (the demand's region) |
| ``spent`` | ``service_credit`` paid from a personal or grant account (own hours, grant) | the elder's account (debit side) |
| ``gifted`` | ``gift_to_relative`` | the giver (debit side) |
| ``donated`` | ``donation`` | the donor (debit side) |
| ``granted`` | ``grant`` | the elder (credit side) |
| ``allocated`` | ``pool_allocation`` | the elder (credit side) |
| ``reversed`` | ``reversal`` | the non-issuance side (the debit side when both are) |

**Fallbacks**: services the issuance account paid because the source the elder chose could
not (``reference.fallback``: ``source_insufficient``, ``source_account_missing``,
``source_frozen``, ``no_elder_named``), counted and summed by reason where they happened, so a
supervisor sees them.

Only posted movements count (``posted``, ``post_pending``), by posting time. The outstanding
liability is the negated balance of each issuance account (one per city-level unit) whose
code lies in the region; the pools are the balances of the donation pools (one per city-level
unit) whose code lies in the region: what donations put there and allocations and
pool-funded services have not yet taken. Both are balances at the time of asking, not period
figures.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from timebank_common.regions import child_of, prefix_of

from ..contracts.kinds import (
    DONATION,
    GIFT_TO_RELATIVE,
    GRANT,
    GRANT_TRANSFER,
    ISSUANCE,
    PERSONAL,
    POOL_ALLOCATION,
    REVERSAL,
    SERVICE_CREDIT,
)

FIGURES = ("deposited", "spent", "gifted", "donated", "granted", "allocated", "reversed")


@dataclass(frozen=True)
class FlowRow:
    """Posted minutes of one kind between two accounts' kinds and regions (summed in SQL)."""

    kind: str
    debit_kind: str
    credit_kind: str
    debit_region: str
    credit_region: str
    minutes: int
    transfers: int = 1
    region: str | None = None  # where it happened (a service: the demand's region)
    fallback: str | None = None  # a service issuance paid instead of the chosen source: why


def attributions(row: FlowRow) -> list[tuple[str, str]]:
    """``(figure, region_code)`` pairs a flow counts for (see the module's table)."""
    if row.kind == SERVICE_CREDIT:
        out = [("deposited", row.region or row.credit_region)]
        if row.debit_kind in (PERSONAL, GRANT):
            out.append(("spent", row.debit_region))
        return out
    if row.kind == GIFT_TO_RELATIVE:
        return [("gifted", row.debit_region)]
    if row.kind == DONATION:
        return [("donated", row.debit_region)]
    if row.kind == GRANT_TRANSFER:
        return [("granted", row.credit_region)]
    if row.kind == POOL_ALLOCATION:
        return [("allocated", row.credit_region)]
    if row.kind == REVERSAL:
        side = row.credit_region if row.debit_kind == ISSUANCE else row.debit_region
        return [("reversed", side)]
    return []


def _zeros() -> dict[str, int]:
    return {f"{figure}_minutes": 0 for figure in FIGURES}


def _in_region(accounts: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    return sorted((a for a in accounts if a["region_code"].startswith(prefix)),
                  key=lambda a: a["region_code"])


def ledger_figures(scope_code: str, flows: list[FlowRow], issuance: list[dict[str, Any]],
                   child_names: dict[str, str] | None = None,
                   pools: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Totals for ``scope_code``'s prefix, the same per child region (every named child and
    every child met in the data, by code), and the liability and the donation pool balance
    per city-level unit.

    ``issuance``, ``pools``: ``[{region_code, balance_minutes}]`` of the issuance accounts
    and of the donation pools."""
    prefix = prefix_of(scope_code)
    totals = _zeros()
    children: dict[str, dict[str, int]] = {}
    for row in flows:
        for figure, region in attributions(row):
            if not region.startswith(prefix):
                continue
            totals[f"{figure}_minutes"] += row.minutes
            child = child_of(scope_code, region)
            if child is not None:
                children.setdefault(child, _zeros())[f"{figure}_minutes"] += row.minutes
    fallbacks: dict[str, list[int]] = {}
    for row in flows:
        if row.kind == SERVICE_CREDIT and row.fallback and \
                (row.region or row.credit_region).startswith(prefix):
            counted = fallbacks.setdefault(row.fallback, [0, 0])
            counted[0] += row.transfers
            counted[1] += row.minutes
    names = child_names or {}
    liability = [{"region_code": a["region_code"], "liability_minutes": -a["balance_minutes"]}
                 for a in _in_region(issuance, prefix)]
    pool_rows = [{"region_code": a["region_code"], "balance_minutes": a["balance_minutes"]}
                 for a in _in_region(pools or [], prefix)]
    return {
        "region_code": scope_code, **totals,
        "liability": liability,
        "liability_minutes": sum(a["liability_minutes"] for a in liability),
        "pools": pool_rows,
        "pool_minutes": sum(a["balance_minutes"] for a in pool_rows),
        "fallbacks": [{"reason": reason, "count": count, "minutes": minutes}
                      for reason, (count, minutes) in sorted(fallbacks.items())],
        "fallback_count": sum(count for count, _ in fallbacks.values()),
        "fallback_minutes": sum(minutes for _, minutes in fallbacks.values()),
        "children": [{"region_code": code, "name": names.get(code),
                      **children.get(code, _zeros())}
                     for code in sorted(set(names) | set(children))],
    }
