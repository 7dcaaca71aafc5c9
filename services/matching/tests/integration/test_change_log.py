"""The change log the in-memory views follow, on committed transactions (what a snapshot sees
depends on commits, so these tests use their own connections, not a rolled-back one)."""
import datetime as dt
import uuid

import pytest
from sqlalchemy import text
from timebank_testing import wait_for

from matching.adapters import change_log, preferences, service_history, volunteers
from matching.adapters.index_cache import CHANGE_LOG_KEPT, IndexCache
from timebank_common.db import UnitOfWork, make_engine

REGION = "130181001001"
CENTRE = (37.943, 115.218)


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url("matching"))
    yield engine
    engine.dispose()


def test_a_change_committed_late_is_still_applied(engine, clock):
    """A transaction that began before a catch-up and commits after it: found next time."""
    cache = IndexCache()
    pid = f"xj-late-{uuid.uuid4().hex[:6]}"
    now = clock.now()
    with UnitOfWork(engine) as uow:
        volunteers.note_volunteer(uow, pid, REGION, True, [], now)
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert pid not in cache.current(uow, now).volunteers  # no home yet
    late = UnitOfWork(engine).__enter__()
    preferences.save_preferences(late, pid, {"home": {"lat": CENTRE[0], "lng": CENTRE[1]},
                                             "radius_km": 3, "availability": []}, now)
    with UnitOfWork(engine) as uow:
        service_history.add_history(uow, pid, completed=1)  # a later transaction, committed first
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert pid not in cache.current(uow, now).volunteers  # home not committed yet
    late.commit()
    late.__exit__(None, None, None)
    with UnitOfWork(engine) as uow:
        found = cache.current(uow, now).volunteers.get(pid)
    assert found is not None and found.radius_km == 3 and found.completed == 1
    assert cache.builds == 1


def test_the_change_log_is_pruned_after_a_day(engine):
    old, recent = f"xj-old-{uuid.uuid4().hex[:6]}", f"xj-new-{uuid.uuid4().hex[:6]}"
    with UnitOfWork(engine) as uow:
        uow.execute(text("INSERT INTO volunteer_changes (person_id, at) VALUES "
                         "(:old, now() - interval '2 days'), (:recent, now())"),
                    {"old": old, "recent": recent})
        uow.execute(text("INSERT INTO demand_changes (demand_id, at) VALUES "
                         "(:old, now() - interval '2 days')"), {"old": old})
        uow.commit()

    def pruned_and_left() -> set:
        # a row goes only once no open transaction anywhere on the server is older than
        # it (another test's or process's write may be open this instant): prune again
        with UnitOfWork(engine) as uow:
            change_log.prune(uow, CHANGE_LOG_KEPT)
            uow.commit()
        with UnitOfWork(engine) as uow:
            return set(uow.execute(text(
                "SELECT person_id FROM volunteer_changes WHERE person_id IN (:old, :recent) "
                "UNION ALL SELECT demand_id FROM demand_changes WHERE demand_id = :old"),
                {"old": old, "recent": recent}).scalars())

    # a long transaction elsewhere on the server (another suite, a benchmark) holds the rows back
    wait_for(lambda: pruned_and_left() == {recent}, timeout=90, interval=0.2)


def test_the_month_turning_is_applied_to_the_views(engine, clock):
    """Minutes served this month start again when the China month turns (a delta, not a
    build)."""
    cache = IndexCache()
    pid = f"xj-month-{uuid.uuid4().hex[:6]}"
    now = clock.now()
    with UnitOfWork(engine) as uow:
        volunteers.note_volunteer(uow, pid, REGION, True, [], now)
        preferences.save_preferences(uow, pid, {"home": {"lat": CENTRE[0], "lng": CENTRE[1]},
                                                "radius_km": 3, "availability": []}, now)
        service_history.add_minutes(uow, pid, now, 90)
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert cache.current(uow, now).volunteers.get(pid).minutes_this_month == 90
    next_month = dt.datetime(2026, 6, 30, 16, 0, tzinfo=dt.UTC)  # 1 July, midnight in China
    with UnitOfWork(engine) as uow:
        assert cache.current(uow, next_month).volunteers.get(pid).minutes_this_month == 0
    assert cache.builds == 1
