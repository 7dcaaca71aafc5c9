"""A supervisor's region scope is served by an index (``db.within``: a range on
``region_code``, which a btree index serves; ``LIKE 'prefix%'`` is not under the C.UTF-8
collation). Each statement the repository really sends is EXPLAINed on the migrated database
with sequential scans priced out, and the region range must be an ``Index Cond`` of the named
index — a whole-index scan filtering each row does not count."""
import datetime as dt

import pytest
from timebank_testing import range_indexes

from demand.adapters import (
    assignment_repository,
    dispute_repository,
    escalation_repository,
    evaluation_repository,
    series_repository,
)
from demand.adapters import demand_repository as repo
from demand.adapters import statistics_repository as statistics
from demand.adapters.tables import disputes
from demand.domain.access import Visibility
from timebank_common.db import within

COUNTY = "130102"
NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
MONTH_AGO = NOW - dt.timedelta(days=30)


@pytest.fixture
def uow(explaining_uow):
    return explaining_uow("demand")


def test_staff_demand_lists_use_the_region_index(uow):
    repo.list_demands(uow, Visibility(region_prefix=COUNTY), None, None, 1, 20)
    repo.list_demands(uow, Visibility(region_prefix="13"), None, "130181", 1, 20)  # 辛集
    for plan in uow.plans[:2] + uow.plans[3:5]:  # the counts and pages (not the assignments)
        assert range_indexes(plan) & {"demands_region_status", "demands_region_created"}, plan


def test_demand_statistics_use_the_region_and_period_index(uow):
    statistics.demand_rows(uow, COUNTY, MONTH_AGO, NOW)
    assert "demands_region_created" in range_indexes(uow.plans), uow.plans
    uow.plans.clear()
    assignment_repository.no_show_figures(uow, COUNTY, MONTH_AGO, NOW)
    assert range_indexes(uow.plans) & {"demands_region_status", "demands_region_created"}, \
        uow.plans


def test_escalations_and_series_of_a_region_come_from_indexes(uow):
    escalation_repository.escalations_in(uow, COUNTY, True, 100)  # closed ones too
    assert "demand_escalations_region" in range_indexes(uow.plans), uow.plans
    uow.plans.clear()
    escalation_repository.escalations_in(uow, COUNTY, False, 100)  # open ones: the small partial index will do
    [plan] = uow.plans
    assert "demand_escalations_region" in range_indexes(plan) or \
        "using demand_escalations_open" in plan, plan
    uow.plans.clear()
    series_repository.list_series(uow, COUNTY, None, None, 100)
    assert "demand_series_region" in range_indexes(uow.plans), uow.plans


def test_records_of_a_region_come_from_the_region_index(uow):
    repo.service_record_rows(uow, COUNTY, MONTH_AGO, NOW, None, None, 500)
    assert "service_records_region" in range_indexes(uow.plans), uow.plans


def test_feedback_of_a_region_comes_from_indexes(uow):
    evaluation_repository.list_follow_ups(uow, COUNTY, "open", None, 1, 20)
    assert range_indexes(uow.plans) == {"follow_ups_region"}, uow.plans
    uow.plans.clear()
    dispute_repository.list_disputes(uow, within(disputes.c.region_code, COUNTY), {}, 1, 20)
    assert range_indexes(uow.plans) == {"disputes_region"}, uow.plans
    uow.plans.clear()
    statistics.evaluation_stats(uow, COUNTY, MONTH_AGO.date(), NOW.date())
    assert range_indexes(uow.plans) == {"evaluations_region"}, uow.plans
    uow.plans.clear()
    statistics.dispute_stats(uow, COUNTY, MONTH_AGO.date(), NOW.date())
    assert range_indexes(uow.plans) == {"disputes_region"}, uow.plans
