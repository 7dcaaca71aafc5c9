"""Every demand timer run by two processes at the same moment over the same due work does
each thing once (issue 17 item 5): two demand workers (``worker_factory``, as two processes'
containers would run the timer) on one real database whose units of work commit, their timer
methods released together (``side_by_side``), then the outbox says how often each effect was
announced. Series generation and the recording-overdue sweep are proven the same way in
``test_concurrency.py`` (four generators, four sweepers).

How each stays single: escalation and recording-overdue insert under a primary key
(``ON CONFLICT DO NOTHING ... RETURNING``: only the inserter emits); no-shows and expiry take
the demand row locked and re-check it under the lock; the confirmation chase takes records
``FOR UPDATE SKIP LOCKED`` with ``overdue_reported_at IS NULL`` in the condition; series claim
each (series, date) in ``series_occurrences``."""

import pytest
from nameko.testing.services import worker_factory
from timebank_testing import outbox_events
from timebank_testing.identity_fake import IdentityFake
from timebank_testing.side_by_side import CommittingDatabase, side_by_side

from demand.domain.escalation import DEFAULT_REVIEW_SECONDS
from demand.domain.recording import CONFIRMATION_DAYS
from demand.service import DemandService

from .conftest import OPERATOR, InProcess, LedgerStandIn, published, served, submission, volunteer

DEMANDS = 6


@pytest.fixture(scope="module")
def db(own_database_url):
    made = CommittingDatabase(own_database_url("demand"), pool_size=8)
    yield made
    made.dispose()


def process(db, clock) -> InProcess:
    """One demand process's worker: its own identity and ledger stand-ins, the shared
    database and clock."""
    return InProcess(worker_factory(DemandService, db=db, clock=clock,
                                    identity=IdentityFake(clock=clock), ledger=LedgerStandIn(),
                                    config={"CHECK_CONTRACTS": True}))


@pytest.fixture
def demand(db, clock):
    return process(db, clock)


@pytest.fixture
def two(db, clock):
    """Two processes' workers on the same database at the same clock."""
    return process(db, clock), process(db, clock)


def announced(db, event_type, key, values):
    """How often each of ``values`` (its payload's ``key``) was announced as ``event_type``."""
    found = [e["payload"][key] for e in outbox_events(db, event_type)]
    return {v: found.count(v) for v in values}


def test_review_escalation_opens_each_escalation_once(db, demand, two, clock):
    ids = [demand.submit(OPERATOR, submission(clock.now()))["demand_id"]
           for _ in range(DEMANDS)]
    clock.advance(seconds=DEFAULT_REVIEW_SECONDS + 60)
    side_by_side(*(p.escalate_unreviewed for p in two))
    assert announced(db, "demand_review_overdue", "demand_id", ids) == dict.fromkeys(ids, 1)


def test_expiry_sweep_cancels_each_demand_once(db, demand, two, clock):
    ids = [published(demand, clock.now(), start_in_hours=1)["demand_id"]
           for _ in range(DEMANDS)]
    clock.advance(hours=4)  # each window (an hour from now, two long) has ended, nobody on it
    side_by_side(*(p.sweep_expired for p in two))
    assert announced(db, "demand_cancelled", "demand_id", ids) == dict.fromkeys(ids, 1)
    assert {demand.get(OPERATOR, i)["status"] for i in ids} == {"cancelled"}


def test_no_show_sweep_marks_each_no_show_once(db, demand, two, clock):
    ids = []
    for _ in range(DEMANDS):
        made = published(demand, clock.now(), start_in_hours=1)
        demand.claim(volunteer(), made["demand_id"])
        ids.append(made["demand_id"])
    clock.advance(hours=1, minutes=31)  # past each window's start and the 30 minutes' grace
    side_by_side(*(p.sweep_no_shows for p in two))
    assert announced(db, "assignment_no_show", "demand_id", ids) == dict.fromkeys(ids, 1)


def test_confirmation_chase_reports_each_record_once(db, demand, two, clock):
    records = []
    for _ in range(DEMANDS):
        made, [v] = served(demand, clock.now())
        records.append(demand.record(OPERATOR, made["demand_id"], {
            "volunteer_id": v["person_id"], "minutes": 60,
            "confirmation": "app"})["record_id"])
    clock.advance(days=CONFIRMATION_DAYS, minutes=1)
    side_by_side(*(p.scheduled_chase_confirmations for p in two))
    once = dict.fromkeys(records, 1)
    assert announced(db, "record_confirmation_overdue", "record_id", records) == once
    assert announced(db, "follow_up_opened", "record_id", records) == once
