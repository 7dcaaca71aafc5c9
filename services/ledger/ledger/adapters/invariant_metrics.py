"""The ledger's invariants as Prometheus gauges (exported at the service's ``/metrics``).

Refreshed by a scheduled job (``INVARIANTS_REFRESH_SECONDS``) from ``verify_balances``;
an alert on ``timebank_ledger_invariants_ok == 0`` catches any broken rule. Every gauge is
absent until this process's first check (a process just started has not looked: it does not
claim 0), and ``timebank_ledger_invariants_last_check_timestamp_seconds`` says when it last
looked, so an alert also catches checks that stopped (deploy/monitoring/alerts.yml).

The hash chain is walked in full when the process starts and then every
``JOURNAL_FULL_CHECK_SECONDS`` (default a day); in between, each refresh verifies only the
links appended since the last one it verified (``ChainTracker``), so a large journal does
not cost a full walk every minute. ``python -m ledger.commands.verify_journal`` and the
``verify_journal`` RPC always walk it all.
"""
from __future__ import annotations

import time

from prometheus_client import Counter

from timebank_common.metrics import MeasuredGauge

from ..domain.journal import JournalLink

ENTRIES_SUM = MeasuredGauge("timebank_ledger_entries_sum_seconds",
                            "Sum of all entries, as banked time in seconds (the ledger counts "
                            "minutes; must be 0)")
BELOW_ZERO = MeasuredGauge("timebank_ledger_accounts_below_zero",
                           "Non-issuance accounts below zero counting pending debits (must be 0)")
POSTED_MISMATCHES = MeasuredGauge(
    "timebank_ledger_posted_total_mismatches",
    "Accounts whose posted totals differ from their entries (must be 0)")
PENDING_MISMATCHES = MeasuredGauge(
    "timebank_ledger_pending_total_mismatches",
    "Accounts whose pending totals differ from open reservations (must be 0)")
UNBALANCED = MeasuredGauge("timebank_ledger_unbalanced_transfers",
                           "Transfers whose entries are not exactly -amount/+amount (must be 0)")
RUNNING_MISMATCHES = MeasuredGauge(
    "timebank_ledger_running_balance_mismatches",
    "Entries whose balance_after is not their account's running sum (must be 0)")
YEARLY_MISMATCHES = MeasuredGauge(
    "timebank_ledger_yearly_sum_mismatches",
    "Yearly-cap running sums that differ from the service credits (must be 0)")
CHAIN_INTACT = MeasuredGauge("timebank_ledger_journal_intact", "1 when the hash chain verifies")
CHAIN_LENGTH = MeasuredGauge("timebank_ledger_journal_checked",
                             "Last journal link verified (its seq)")
ALL_OK = MeasuredGauge("timebank_ledger_invariants_ok", "1 when every ledger invariant holds")
LAST_CHECK = MeasuredGauge("timebank_ledger_invariants_last_check_timestamp_seconds",
                           "Unix time of this process's last check of the invariants")
LAST_FULL_JOURNAL_CHECK = MeasuredGauge(
    "timebank_ledger_journal_last_full_check_timestamp_seconds",
    "Unix time this process last walked the whole hash chain (in between, only new links)")
CERTIFICATES_SIGNED = Counter("timebank_ledger_certificates_signed_total",
                              "Service-record certificates signed")
CERTIFICATE_SIGNING_FAILURES = Counter(
    "timebank_ledger_certificate_signing_failures_total",
    "Certificates that could not be signed (signing key missing or unusable)")


def publish(report: dict, full_walk: bool = False, now: float | None = None) -> None:
    """Set every gauge from a ``verify_balances`` report; ``full_walk`` when the report's
    journal check walked the whole chain."""
    now = time.time() if now is None else now
    ENTRIES_SUM.set(report["total_sum"] * 60)  # minutes → seconds, Prometheus's base unit
    BELOW_ZERO.set(len(report["below_zero"]))
    POSTED_MISMATCHES.set(len(report["mismatches"]))
    PENDING_MISMATCHES.set(len(report["pending_mismatches"]))
    UNBALANCED.set(len(report["unbalanced_transfers"]))
    RUNNING_MISMATCHES.set(len(report["running_balance_mismatches"]))
    YEARLY_MISMATCHES.set(len(report["yearly_sum_mismatches"]))
    CHAIN_INTACT.set(1 if report["journal"]["ok"] else 0)
    last = report["journal"].get("last")
    CHAIN_LENGTH.set(last["seq"] if last else 0)
    ALL_OK.set(1 if report["ok"] else 0)
    LAST_CHECK.set(now)
    if full_walk:
        LAST_FULL_JOURNAL_CHECK.set(now)


class ChainTracker:
    """Where the periodic check goes on from: the last link verified, unless a full walk is
    due (first run, every ``full_every`` seconds, or after anything failed)."""

    def __init__(self):
        self.last: JournalLink | None = None
        self.full_at: float | None = None

    def resume_point(self, full_every: float, now: float | None = None) -> JournalLink | None:
        now = time.monotonic() if now is None else now
        if self.last is None or self.full_at is None or now - self.full_at >= full_every:
            return None
        return self.last

    def remember(self, report: dict, resumed: JournalLink | None, now: float | None = None):
        now = time.monotonic() if now is None else now
        if not report["journal"]["ok"]:
            self.last = None  # walk it all again next time
            return
        last = report["journal"].get("last")
        self.last = JournalLink(**last) if last else None
        if resumed is None:
            self.full_at = now


CHAIN = ChainTracker()  # one per ledger process
