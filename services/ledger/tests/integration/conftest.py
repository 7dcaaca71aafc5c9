"""The ledger's own entrypoints without a container, for tests that need no broker: RPCs,
event handlers and timers called in the test process (nameko's ``worker_factory``) on units
of work rolled back when the test ends (``uow_factory``), at a clock the test moves. The
declared arguments are loaded and every answer is checked against its contract, as in a
container; events a use case emits are read back from the outbox."""
import pytest
from nameko.testing.services import worker_factory
from timebank_testing import outbox_events
from timebank_testing.identity_fake import IdentityFake

from ledger.adapters import invariants
from ledger.service import LedgerService


@pytest.fixture
def ledger_db(uow_factory):
    """Units of work on the ledger's test database, all rolled back after the test."""
    return uow_factory("ledger")


@pytest.fixture
def identity(clock):
    """identity as the ledger sees it: the shared ``IdentityFake`` at the test's clock, on
    which a test registers the people it needs."""
    return IdentityFake(clock=clock)


@pytest.fixture
def ledger(ledger_db, clock, identity):
    """``LedgerService`` with its database, clock and configuration given, asking the test's
    ``identity``; demand is a ``MagicMock`` a test may instruct (``ledger.demand.<method>...``)."""
    return worker_factory(LedgerService, db=ledger_db, clock=clock, identity=identity,
                          config={"CHECK_CONTRACTS": "strict"})


@pytest.fixture
def consistent(ledger_db):
    """``consistent()``: every invariant holds (``verify_balances``) in the test's transaction."""
    def check() -> dict:
        with ledger_db() as uow:
            report = invariants.verify_balances(uow, snapshot=False)
        assert report["ok"], {k: v for k, v in report.items() if v}
        return report

    return check


@pytest.fixture
def emitted(ledger_db):
    """``emitted("hours_credited")``: the payloads of that event written to the outbox so far
    (in the test's transaction and before it), oldest first."""
    return lambda event_type: [e["payload"] for e in outbox_events(ledger_db, event_type)]
