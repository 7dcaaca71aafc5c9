"""The supervisor's reads are served by their indexes (EXPLAINed on the migrated, empty
database with sequential scans priced out; the condition must be an ``Index Cond`` of the
named index): a region's series from its own rows by the primary key, a breakdown from the
children's rows by ``facts_by_parent``, a volunteer's neighbouring service days by
``service_days_by_volunteer``; the commendation lists' rows of a span by their day (or
region) indexes."""
import datetime as dt
import re

import pytest
from timebank_testing import index_conditions

from reporting.adapters import commendation_repository as repo
from reporting.adapters import fact_repository

YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


@pytest.fixture
def uow(explaining_uow):
    return explaining_uow("reporting")


def fixes(column, condition):
    """The index condition fixes ``column`` by equality (``(column)::text = '…'``)."""
    return re.search(rf"\b{column}\)?(?:::\w+)? = '", condition) is not None


def conditions(uow):
    return [(index, condition) for plan in uow.plans
            for index, condition in index_conditions(plan)]


def test_a_series_reads_the_regions_own_rows_by_the_primary_key(uow):
    fact_repository.sums_by_day(uow, "13", *YEAR, ["services_recorded"])
    fact_repository.changes_by_day(uow, "13", YEAR[1])
    found = conditions(uow)
    assert len(found) == 2 and all(index == "facts_pkey" and fixes("region_prefix", condition)
                                   and "day <= " in condition
                                   for index, condition in found), found


def test_a_breakdown_reads_the_childrens_rows_by_parent(uow):
    fact_repository.sums_by_child(uow, "13", *YEAR, ["services_recorded"])
    fact_repository.active_by_child(uow, "13", YEAR[1])
    found = conditions(uow)
    assert len(found) == 2 and all(index == "facts_by_parent"
                                   and fixes("parent_prefix", condition) and "day <= " in condition
                                   for index, condition in found), found


def test_a_volunteers_neighbouring_days_come_from_their_index(uow):
    fact_repository.service_days_near(uow, "v1", YEAR[0], 90)
    [(index, condition)] = conditions(uow)
    assert index == "service_days_by_volunteer" and fixes("volunteer_id", condition)
    assert "day >= " in condition


def test_the_commendation_lists_read_the_months_rows_by_their_indexes(uow):
    november = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    repo.milestones(uow, "1301", *november)
    repo.station_services(uow, "1301", *november)
    repo.volunteer_months(uow, "1301", dt.date(2026, 6, 1), november[1])
    found = conditions(uow)
    indexes = [index for index, _ in found]
    assert indexes == ["milestones_reached_by_day", "service_records_by_day",
                       "service_days_pkey"], found
    assert all("day >= " in condition or "region_code >= " in condition
               for _, condition in found), found


def test_elders_served_read_the_day_counts_and_each_holder_by_key(uow):
    from reporting.adapters import elder_repository

    elder_repository.served_by_child(uow, "13", *YEAR)
    elder_repository.served_by_category(uow, "13", *YEAR)
    found = dict(conditions(uow))
    assert fixes("parent_prefix", found["elder_day_counts_by_parent"]), found
    assert fixes("region_prefix", found["elder_service_days_pkey"]), found
    assert "elder_id = " in found["elder_service_days_pkey"], found  # one holder at a time
