"""A supervisor's region scope is served by an index (``db.within``: a range on
``region_code``, which a btree index serves; ``LIKE 'prefix%'`` is not under the C.UTF-8
collation). Each statement the repository really sends is EXPLAINed on the migrated database
with sequential scans priced out, and the region range must be an ``Index Cond`` of the named
index — a whole-index scan filtering each row does not count."""
import datetime as dt

import pytest
from timebank_testing import range_indexes

from matching.adapters import dispatch_runs, match_inputs, open_demands, outcomes

COUNTY = "130102000000"
NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


@pytest.fixture
def uow(explaining_uow):
    return explaining_uow("matching")


def test_a_dispatch_run_reads_its_regions_open_demands_by_index(uow):
    match_inputs.demands_to_dispatch(uow, COUNTY, NOW)
    match_inputs.demands_to_dispatch(uow, "130682000000", NOW)  # 定州
    for plan in uow.plans:
        assert "open_demands_by_region" in range_indexes(plan), plan


def test_a_staff_feed_within_a_scope_reads_by_index(uow):
    open_demands.feed_candidates(uow, None, COUNTY, NOW, 50)
    assert "open_demands_by_region" in range_indexes(uow.plans), uow.plans


def test_proposals_and_statistics_of_a_region_come_from_indexes(uow):
    dispatch_runs.list_proposals(uow, COUNTY, None)
    assert "proposals_by_region_status" in range_indexes(uow.plans), uow.plans
    uow.plans.clear()
    outcomes.stats(uow, COUNTY, NOW - dt.timedelta(days=30), NOW)
    of_outcomes, of_proposals, of_runs = uow.plans
    assert "demand_outcomes_by_region" in range_indexes(of_outcomes), of_outcomes
    assert "proposals_by_region_status" in range_indexes(of_proposals), of_proposals
    assert "dispatch_runs_by_region" in range_indexes(of_runs), of_runs
