"""The ledger's self-checks: the internal RPCs and the periodic invariant gauges."""
from __future__ import annotations

from timebank_common.service import rpc, scheduled

from ..app import verification
from ..contracts.verification import BalancesReportOut, JournalReportOut


class VerificationEntrypoints:
    @rpc(returns=BalancesReportOut, internal=True)
    def verify_balances(self):
        """Every invariant (see ledger/adapters/invariants.py), the hash chain included."""
        return verification.verify_balances(self.db)

    @rpc(returns=JournalReportOut, internal=True)
    def verify_journal(self):
        """Walk the hash chain; ``first_broken`` names the first bad link."""
        return verification.verify_journal(self.db)

    @scheduled("INVARIANTS_REFRESH_SECONDS", 300)
    def refresh_invariants(self):
        verification.refresh_invariants(
            self.db, float(self.config.get("JOURNAL_FULL_CHECK_SECONDS", 86400)))
