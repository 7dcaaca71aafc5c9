"""The ledger's invariants as Prometheus gauges (exported at the service's ``/metrics``).

Refreshed by a scheduled job (``INVARIANTS_REFRESH_SECONDS``) from ``verify_balances``;
an alert on ``timebank_ledger_invariants_ok == 0`` catches any broken rule.
"""
from __future__ import annotations

from prometheus_client import Gauge

ENTRIES_SUM = Gauge("timebank_ledger_entries_sum_minutes",
                    "Sum of all entries (must be 0)")
BELOW_ZERO = Gauge("timebank_ledger_accounts_below_zero",
                   "Non-issuance accounts below zero counting pending debits (must be 0)")
POSTED_MISMATCHES = Gauge("timebank_ledger_posted_total_mismatches",
                          "Accounts whose posted totals differ from their entries (must be 0)")
PENDING_MISMATCHES = Gauge("timebank_ledger_pending_total_mismatches",
                           "Accounts whose pending totals differ from open reservations (must be 0)")
UNBALANCED = Gauge("timebank_ledger_unbalanced_transfers",
                   "Transfers whose entries are not exactly -amount/+amount (must be 0)")
CHAIN_INTACT = Gauge("timebank_ledger_journal_intact", "1 when the hash chain verifies")
CHAIN_LENGTH = Gauge("timebank_ledger_journal_checked", "Journal links verified")
ALL_OK = Gauge("timebank_ledger_invariants_ok", "1 when every ledger invariant holds")


def publish(report: dict) -> None:
    ENTRIES_SUM.set(report["total_sum"])
    BELOW_ZERO.set(len(report["below_zero"]))
    POSTED_MISMATCHES.set(len(report["mismatches"]))
    PENDING_MISMATCHES.set(len(report["pending_mismatches"]))
    UNBALANCED.set(len(report["unbalanced_transfers"]))
    CHAIN_INTACT.set(1 if report["journal"]["ok"] else 0)
    CHAIN_LENGTH.set(report["journal"]["checked"])
    ALL_OK.set(1 if report["ok"] else 0)
