"""A supervisor's region scope is served by an index (``db.within``: a range on
``region_code``, which a btree index serves; ``LIKE 'prefix%'`` is not under the C.UTF-8
collation). Each statement the repository really sends is EXPLAINed on the migrated database
with sequential scans priced out, and the region range must be an ``Index Cond`` of the named
index — a whole-index scan filtering each row does not count."""
import datetime as dt

import pytest
from timebank_testing import range_indexes

from notify.adapters import call_task_repository, delivery_repository, preference_repository


@pytest.fixture
def uow(explaining_uow):
    return explaining_uow("notify")


def test_call_tasks_of_a_region_come_from_the_region_index(uow):
    call_task_repository.call_tasks_page(uow, carrier_id=None, region_prefix="130102",
                                         status=None, page=1, page_size=20)
    call_task_repository.call_tasks_page(uow, carrier_id=None, region_prefix="1301",
                                         status="open", page=2, page_size=20)
    for plan in uow.plans:  # pages and counts
        assert "call_tasks_by_region" in range_indexes(plan), plan


def test_nearby_volunteers_of_a_township_come_from_their_index(uow):
    preference_repository.nearby_volunteers(uow, "130102001")
    assert "preferences_nearby" in range_indexes(uow.plans), uow.plans


def test_a_sender_claims_the_next_deliveries_off_the_due_index_without_sorting(uow):
    """Urgent first, then the oldest due: the index's own order, so the claim stops at the
    first rows it may lock however many deliveries are waiting (a provider's outage)."""
    delivery_repository.claim_due_deliveries(uow, dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC),
                                             20)
    [plan] = uow.plans
    assert "deliveries_due" in plan and "Sort" not in plan, plan
