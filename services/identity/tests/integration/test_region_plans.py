"""A supervisor's region scope is served by an index (``db.within``: a range on the
region column, which a btree index serves; ``LIKE 'prefix%'`` is not under the C.UTF-8
collation). Each statement the repository really sends is EXPLAINed on the migrated database
with sequential scans priced out, and the region range must be an ``Index Cond`` of the named
index — a whole-index scan filtering each row does not count."""
import pytest
from timebank_testing import range_indexes

from identity.adapters import api_clients, audit, carriers, persons, regions, statistics, volunteers

COUNTY = "130102"


@pytest.fixture
def uow(explaining_uow):
    return explaining_uow("identity")


def test_persons_of_a_region_come_from_the_region_index(uow):
    persons.elders_in_region(uow, COUNTY)
    statistics.volunteer_rows(uow, COUNTY)
    statistics.elder_rows(uow, "130181")  # 辛集
    for plan in uow.plans:  # either index leads with the region (0011 added the second)
        assert range_indexes(plan) & {"persons_by_region", "persons_by_region_name"}, plan


def test_carriers_operators_and_clients_of_a_region_come_from_indexes(uow):
    carriers.carrier_page(uow, COUNTY, None, 1, 20)
    carriers.carrier_rows(uow, COUNTY)
    for plan in uow.plans:
        assert range_indexes(plan) & {"carriers_by_region", "carriers_name_in_region"}, plan
    uow.plans.clear()
    # (staff_grant_page is not checked: on empty tables an index-only scan of the partial
    # role_grants_once is cheaper than role_grants_scope; a few thousand grants in all)
    api_clients.api_clients_under(uow, "1301")
    assert "api_clients_scope" in range_indexes(uow.plans, "scope_code"), uow.plans


def test_audit_entries_and_regions_of_a_region_come_from_indexes(uow):
    audit.entry_page(uow, COUNTY, {}, 1, 20)
    for plan in uow.plans:
        assert "audit_log_region_at" in range_indexes(plan), plan
    uow.plans.clear()
    regions.region_codes(uow, COUNTY)
    assert "regions_pkey" in range_indexes(uow.plans, "code"), uow.plans
    uow.plans.clear()
    volunteers.training_policies_around(uow, COUNTY)
    assert "training_policies_pkey" in range_indexes(uow.plans), uow.plans


def test_people_lists_come_from_indexes(uow):
    """The elder and volunteer lists of a scope: the region range from the index that also
    gives their order; a name prefix across the province from the name index; a phone or ID
    number from its keyed hash's unique index."""
    import datetime as dt

    persons.elder_page(uow, COUNTY, {"status": "active"}, None, 1, 20)
    persons.volunteer_page(uow, COUNTY, {"status": "all", "eligible": True}, 1, 20)
    persons.elder_page(uow, COUNTY, {"category": "empty_nest"}, None, 2, 20)
    persons.elder_page(uow, COUNTY, {}, dt.date(1946, 12, 6), 1, 20)
    for plan in uow.plans:
        assert range_indexes(plan) & {"persons_by_region_name", "persons_by_region"}, plan
    uow.plans.clear()
    persons.volunteer_page(uow, "13", {"q": "王"}, 1, 20)
    assert "persons_by_name" in range_indexes(uow.plans, "name"), uow.plans
    uow.plans.clear()
    persons.elder_page(uow, "13", {"phone": "13800000008"}, None, 1, 20)
    persons.elder_page(uow, "13", {"id_number": "130102194803080827"}, None, 1, 20)
    for plan in uow.plans:  # (on empty tables the region index is as cheap as the hash's)
        assert "Seq Scan" not in plan, plan
        assert any(index in plan for index in ("persons_phone_hash_key",
                                               "persons_id_number_hash_key",
                                               "persons_by_region_name")), plan


def test_moves_into_or_out_of_a_region_come_from_both_region_indexes(uow):
    from identity.adapters import moves

    moves.move_page(uow, COUNTY, 1, 20)
    for plan in uow.plans:
        assert {"person_moves_from", "person_moves_to"} <= (
            range_indexes(plan, "from_region_code") | range_indexes(plan, "to_region_code")), plan
