"""A supervisor's region scope is served by an index (``db.within``: a range on
``region_code``, which a btree index serves; ``LIKE 'prefix%'`` is not under the C.UTF-8
collation). Each statement the repository really sends is EXPLAINed on the migrated database
with sequential scans priced out, and the region range must be an ``Index Cond`` of the named
index — a whole-index scan filtering each row does not count."""
import datetime as dt
import uuid

import pytest
from timebank_testing import range_indexes

from ledger.adapters import reconciliation, statistics

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
MONTH_AGO = NOW - dt.timedelta(days=30)


@pytest.fixture
def uow(explaining_uow):
    return explaining_uow("ledger")


def test_issuance_and_pool_balances_of_a_region_come_from_the_region_accounts_index(uow):
    statistics.issuance_balances(uow, "13")
    statistics.pool_balances(uow, "130181")  # 辛集
    for plan in uow.plans:
        assert "accounts_one_per_region" in range_indexes(plan), plan


def test_credits_paid_by_a_city_unit_find_its_issuance_account_by_index(uow):
    reconciliation.credits_posted_in(uow, "1301", MONTH_AGO, NOW)
    reconciliation.credits_posted_in(uow, "130682000000", MONTH_AGO, NOW)  # 定州's own account
    for plan in uow.plans:
        assert "accounts_one_per_region" in range_indexes(plan), plan


def test_the_flows_of_a_region_read_its_transfers_by_index(uow):
    statistics.flows(uow, "130102", MONTH_AGO, NOW)
    statistics.flows(uow, "1331", None, None)  # 雄安, all time
    for plan in uow.plans:  # both parts: debit side in the region, credit side in it
        for side in ("debit", "credit"):
            assert f"using transfers_by_{side}_region on" in plan, plan
            assert f"Index Cond: ((({side}_region_code)::text >= " in plan, plan


def test_the_flows_of_the_province_are_one_pass(uow):
    statistics.flows(uow, "13", MONTH_AGO, NOW)
    [plan] = uow.plans
    assert plan.count("transfers_by_created_at") == 1, plan


def test_each_transfer_touching_the_region_counts_once(uow):
    """The two parts select what the OR did: a transfer in or out of the region, or inside
    it (once), not one between two other regions."""
    from ledger.adapters.tables import accounts, transfers
    from ledger.domain.statistics import FlowRow

    regions: dict[str, str] = {}

    def account(kind, region):
        row = {"id": str(uuid.uuid4()), "kind": kind, "region_code": region,
               "owner_person_id": None if kind == "issuance" else f"p-{uuid.uuid4().hex[:8]}"}
        uow.connection.execute(accounts.insert().values(**row))
        regions[row["id"]] = region
        return row["id"]

    city = f"13{uuid.uuid4().int % 50 + 50}"  # no such city: this test's alone
    at = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)  # nor such a day
    issuance = account("issuance", f"{city}00000000")
    here, here2 = account("personal", f"{city}02001001"), account("personal", f"{city}02009001")
    there, yonder = account("personal", f"{city}03001001"), account("personal", f"{city}04001001")
    for debit, credit, minutes, phase in [(issuance, here, 60, "posted"),
                                          (here, there, 10, "posted"),
                                          (here, here2, 20, "posted"),
                                          (there, yonder, 30, "posted")]:
        uow.connection.execute(transfers.insert().values(
            id=f"t-{uuid.uuid4().hex}", kind="donation", phase=phase, debit_account_id=debit,
            credit_account_id=credit, amount_minutes=minutes, created_at=at,
            region_code=regions[debit], debit_region_code=regions[debit],
            credit_region_code=regions[credit]))
    found = statistics.flows(uow, f"{city}02", at, at + dt.timedelta(days=1))
    assert sorted(found, key=lambda r: r.minutes) == [
        FlowRow("donation", "personal", "personal", f"{city}02001001", f"{city}03001001", 10, 1,
                f"{city}02001001"),
        FlowRow("donation", "personal", "personal", f"{city}02001001", f"{city}02009001", 20, 1,
                f"{city}02001001"),
        FlowRow("donation", "issuance", "personal", f"{city}00000000", f"{city}02001001", 60, 1,
                f"{city}00000000")]
    for region in (city, "13"):  # the city (two parts), the province (one pass)
        whole = statistics.flows(uow, region, at, at + dt.timedelta(days=1))
        assert sorted(r.minutes for r in whole) == [10, 20, 30, 60]


def test_a_persons_accounts_for_the_balance_read_come_from_an_index_on_the_owner(uow):
    """The balance read (the gateway's hottest GET) finds the person's accounts by their owner
    in an index; the kinds (one array parameter, ``one_of``) need no scan of their own."""
    from ledger.adapters import accounts

    accounts.person_accounts(uow, "vol-1")
    [plan] = uow.plans
    assert "Seq Scan" not in plan, plan
    assert "owner_person_id)::text = " in plan and "Index Cond" in plan, plan
