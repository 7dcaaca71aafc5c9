"""Every demand timer run by two processes at the same moment over the same due work does
each thing once (issue 17 item 5): two demand workers (``worker_factory``, as two processes'
containers would run the timer) on one real database whose units of work commit, their timer
methods released together (``side_by_side``), then the outbox says how often each effect was
announced. (``test_concurrency.py`` also runs the series generation and the recording-overdue
sweep four at once, through their use cases.)

How each stays single: escalation and recording-overdue insert under a primary key
(``ON CONFLICT DO NOTHING ... RETURNING``: only the inserter emits); no-shows and expiry take
the demand row locked and re-check it under the lock; the confirmation chase takes records
``FOR UPDATE SKIP LOCKED`` with ``overdue_reported_at IS NULL`` in the condition; series claim
each (series, date) in ``series_occurrences``."""

import datetime as dt

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import select
from timebank_testing import outbox_events
from timebank_testing.identity_fake import IdentityFake
from timebank_testing.side_by_side import CommittingDatabase, side_by_side

from demand.adapters.tables import series_occurrences
from demand.domain.escalation import DEFAULT_REVIEW_SECONDS
from demand.domain.recording import CONFIRMATION_DAYS
from demand.service import DemandService
from timebank_common.clock import CHINA

from .conftest import (
    OPERATOR,
    InProcess,
    LedgerStandIn,
    new_id,
    published,
    served,
    submission,
    volunteer,
)

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


def test_recording_overdue_sweep_reports_each_level_once(db, demand, two, clock):
    ids = [served(demand, clock.now())[0]["demand_id"] for _ in range(3)]
    clock.advance(hours=49)  # past both limits: the station's and the township's
    side_by_side(*(p.sweep_unrecorded for p in two))
    found = [(e["payload"]["demand_id"], e["payload"]["level"])
             for e in outbox_events(db, "recording_overdue") if e["payload"]["demand_id"] in ids]
    assert sorted(found) == sorted((i, level) for i in ids for level in ("station", "township"))


def test_series_generation_creates_each_occurrence_once(db, demand, two, clock):
    today = clock.now().astimezone(CHINA).date()
    made = demand.create_series(OPERATOR, {
        "elder_id": new_id("series"), "category": "emotional_comfort",
        "description": "每天上门陪伴", "address": "石家庄市长安区建设北大街12号",
        "frequency": "weekly", "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "start_date": today.isoformat(), "end_date": (today + dt.timedelta(days=40)).isoformat(),
        "time_of_day": "23:59", "window_minutes": 60, "expected_minutes": 60,
        "channel": "phone"})
    clock.advance(days=7)  # a week of new days comes within the horizon
    side_by_side(*(p.generate_series_occurrences for p in two))
    with db() as uow:
        rows = uow.execute(select(series_occurrences.c.occurrence_date,
                                  series_occurrences.c.demand_id)
                           .where(series_occurrences.c.series_id == made["series_id"])).all()
    dates = [r.occurrence_date for r in rows]
    created = [e["payload"]["demand_id"] for e in outbox_events(db, "demand_submitted")
               if e["payload"]["elder_id"] == made["elder_id"]]
    assert len(dates) == len(set(dates)) and len(rows) > len(made["occurrences"])
    assert sorted(created) == sorted(r.demand_id for r in rows if r.demand_id)
