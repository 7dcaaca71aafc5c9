"""The look-ups by a parent's id use an index (migration 0006), checked on the statements the
repository really sends: each is EXPLAINed on the migrated database with sequential scans
priced out (``enable_seqscan = off``), so an index that can serve it is chosen even on empty
tables, and the plan names it. Without the index the plan is a sequential scan (or a whole
scan of an unrelated index)."""
import uuid

import pytest
from sqlalchemy import create_engine, or_, text
from timebank_testing import ExplainingUow
from timebank_testing.plugin import TEST_INSTANT

from demand.adapters import assignment_repository as assignments
from demand.adapters import dispute_repository as feedback
from demand.adapters import recording_repository as records
from demand.adapters.tables import disputes


@pytest.fixture
def uow(database_url):
    engine = create_engine(database_url("demand"))
    with engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))
        yield ExplainingUow(connection)
        connection.rollback()
    engine.dispose()


def test_a_demands_records_come_from_its_index(uow):
    records.of_demand(uow, str(uuid.uuid4()))
    [plan] = uow.plans
    assert "service_records_demand" in plan, plan


def test_the_confirmation_chase_reads_only_records_still_waiting(uow):
    records.overdue_unconfirmed(uow, TEST_INSTANT, 200)
    [plan] = uow.plans
    assert "service_records_unconfirmed" in plan, plan


def test_disputes_of_a_demand_and_of_a_party_come_from_indexes(uow):
    feedback.list_disputes(uow, disputes.c.region_code.startswith("1301"),
                           {"demand_id": str(uuid.uuid4())}, 1, 20)
    assert all("disputes_demand" in plan for plan in uow.plans), uow.plans
    uow.plans.clear()
    person = str(uuid.uuid4())
    feedback.list_disputes(uow, or_(disputes.c.elder_id == person,
                                    disputes.c.volunteer_id == person,
                                    disputes.c.opened_by == person), {}, 1, 20)
    for plan in uow.plans:  # the count and the page
        for index in ("disputes_elder", "disputes_volunteer", "disputes_opened_by"):
            assert index in plan, plan


def test_the_expiry_sweep_reads_only_demands_already_begun(uow):
    """The expiry sweep's candidates come from ``demands(status, window_start)`` (migration
    0003), bounded to demands whose window has begun, not from a scan of every demand."""
    assignments.expiry_candidates(uow, TEST_INSTANT, 100)
    [plan] = uow.plans
    assert "demands_status_window_start" in plan, plan
