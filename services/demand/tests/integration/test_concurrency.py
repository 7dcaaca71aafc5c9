"""What holds when many transactions run at once, on real PostgreSQL with real connections
(committed, not rolled back: concurrency needs several connections; on a database of this
module's own, so the shared one stays as the other modules expect it) but no broker: the
demand service in the test's process (``InProcess``), each call on its own connection from
a pool, many at once in green threads. A demand for N never gets N+1 volunteers; a series'
occurrence is created once however many generators run; the ledger's reply is not undone
by a step that read the assignment before it."""
import datetime as dt

import eventlet
import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import func, select
from timebank_testing.identity_fake import IdentityFake

from demand.adapters import assignment_repository
from demand.adapters import demand_repository as repository
from demand.adapters.tables import demands, recording_overdue, series_occurrences
from demand.app.intake import series as intake
from demand.app.recording import timeliness
from demand.service import DemandService
from timebank_common.clock import CHINA
from timebank_common.db import UnitOfWork, make_engine
from timebank_common.errors import Conflict

from .conftest import OPERATOR, InProcess, LedgerStandIn, new_id, published, served, volunteer


@pytest.fixture
def engine(own_database_url):
    made = make_engine(own_database_url("demand"), pool_size=20)
    yield made
    made.dispose()


@pytest.fixture
def db(engine):
    return lambda: UnitOfWork(engine)


@pytest.fixture
def demand(db, clock):
    """The demand service with committing units of work, one pooled connection each."""
    return InProcess(worker_factory(DemandService, db=db, clock=clock,
                                    identity=IdentityFake(clock=clock), ledger=LedgerStandIn(),
                                    config={"CHECK_CONTRACTS": True}))


@pytest.mark.parametrize("slots", [1, 2, 3])
def test_concurrent_claims_never_overfill(demand, clock, slots):
    made = published(demand, clock.now(), volunteers_needed=slots, category="culture_sports")

    def claim(caller):
        try:
            demand.claim(caller, made["demand_id"])
            return "ok"
        except Conflict as err:
            return err.code

    results = list(eventlet.GreenPool(100).imap(claim, [volunteer() for _ in range(100)]))
    assert results.count("ok") == slots
    assert set(results) == {"ok", "invalid_transition"}  # the others: 409
    shown = demand.get(OPERATOR, made["demand_id"])
    assert shown["status"] == "assigned" and shown["open_slots"] == 0
    assert len(shown["assignments"]) == slots


def test_series_generation_run_twice_and_concurrently_creates_each_occurrence_once(
        demand, db, clock):
    today = clock.now().astimezone(CHINA).date()
    made = demand.create_series(OPERATOR, {
        "elder_id": new_id("series"), "category": "emotional_comfort",
        "description": "每周上门陪伴", "address": "石家庄市长安区建设北大街12号",
        "frequency": "weekly", "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "start_date": today.isoformat(), "end_date": (today + dt.timedelta(days=40)).isoformat(),
        "time_of_day": "23:59", "window_minutes": 60, "expected_minutes": 60,
        "channel": "phone"})
    before = len([o for o in made["occurrences"] if o["demand_id"]])
    now = clock.now()
    runs = [eventlet.spawn(intake.generate_all, db, now, 30, dt.timedelta(hours=1))
            for _ in range(4)]
    created = sum(r.wait() for r in runs)
    assert created >= 1
    assert intake.generate_all(db, now, 30, dt.timedelta(hours=1)) == 0  # run again
    with db() as uow:
        occurrences = uow.execute(select(series_occurrences.c.occurrence_date,
                                         series_occurrences.c.demand_id)
                                  .where(series_occurrences.c.series_id == made["series_id"])
                                  ).all()
        elder_demands = uow.execute(select(func.count()).select_from(demands).where(
            demands.c.elder_id == made["elder_id"])).scalar_one()
    dates = [o.occurrence_date for o in occurrences]
    assert len(dates) == len(set(dates))
    assert elder_demands == len([o for o in occurrences if o.demand_id]) >= before + 10


def test_recording_overdue_sweeps_run_at_once_report_each_level_once(demand, db, clock):
    ids = [served(demand, clock.now())[0]["demand_id"] for _ in range(5)]
    clock.advance(hours=49)  # past both limits: station and township
    now = clock.now()
    runs = [eventlet.spawn(timeliness.report_unrecorded, db, now) for _ in range(4)]
    emitted = [p for r in runs for p in r.wait() if p["demand_id"] in ids]
    assert sorted((p["demand_id"], p["level"]) for p in emitted) == sorted(
        (i, level) for i in ids for level in ("station", "township"))
    assert [p for p in timeliness.report_unrecorded(db, now) if p["demand_id"] in ids] == []
    with db() as uow:
        rows = uow.execute(select(func.count()).select_from(recording_overdue).where(
            recording_overdue.c.demand_id.in_(ids))).scalar_one()
    assert rows == 10


def test_a_reply_committed_during_another_step_is_kept(demand, db, clock):
    """The ledger's reply sets an assignment's reservation status without the demand's row
    lock; a step on the demand that read the assignments before that reply committed (e.g.
    the station assigning the next volunteer of a group) must not write the old status
    back (the reservation showed ``requested`` for ever)."""
    made = published(demand, clock.now(), funding="own_hours", volunteers_needed=2,
                     category="culture_sports")
    [first] = demand.claim(volunteer(), made["demand_id"])["assignments"]
    with db() as step:  # holds the demand's lock, read "requested"
        stale = repository.get_demand(step, made["demand_id"], lock=True)
        assert stale.assignments[0].reservation_status == "requested"
        with db() as reply:
            assignment_repository.set_reservation_status(
                reply, first["assignment_id"], "reserved", None)
            reply.commit()
        repository.save_demand(step, stale)
        step.commit()
    shown = demand.get(OPERATOR, made["demand_id"])["assignments"][0]
    assert shown["reservation_status"] == "reserved"
