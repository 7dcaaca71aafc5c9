"""The ledger's self-checks (``adapters/invariants.py`` reads them from one snapshot): the
internal RPCs, and the periodic refresh of the invariant gauges at ``/metrics``."""
from __future__ import annotations

import logging

from timebank_common.db import UnitOfWorkFactory

from ..adapters import invariant_metrics, invariants

log = logging.getLogger("timebank.ledger")


def verify_balances(db: UnitOfWorkFactory) -> dict:
    """Every invariant (see ``adapters/invariants.py``), the hash chain included."""
    with db() as uow:
        report = invariants.verify_balances(uow)
    assert report is not None  # only a check that may skip itself answers nothing
    return report


def verify_journal(db: UnitOfWorkFactory) -> dict:
    """Walk the hash chain; ``first_broken`` names the first bad link."""
    with db() as uow:
        return invariants.verify_journal(uow)


def refresh_invariants(db: UnitOfWorkFactory, full_check_every: float,
                       tracker: invariant_metrics.ChainTracker = invariant_metrics.CHAIN
                       ) -> None:
    """Check every invariant and publish the gauges; the chain is walked in full every
    ``full_check_every`` seconds (and at start), in between only the links appended since.
    Skipped when another ledger process is checking right now."""
    resume = tracker.resume_point(full_check_every)
    with db() as uow:
        report = invariants.verify_balances(uow, journal_resume=resume,
                                            unless_running_elsewhere=True)
    if report is None:
        return  # another ledger process is checking now
    tracker.remember(report, resume)
    invariant_metrics.publish(report, full_walk=resume is None)
    if not report["ok"]:
        log.error("ledger invariants broken: %s", {k: v for k, v in report.items()
                                                   if v and k not in ("ok",)})
