"""Supervisor statistics through the ledger's own RPCs on a rolled-back database (no broker):
the donation pool balance of each city-level unit in the region (``ledger_stats`` key
``pools``, shown by ``GET /api/v1/stats``), as of now, next to the issuance liability."""
import datetime as dt
import uuid

from timebank_common.clock import china_date

CHENGDE = "130800000000"  # 承德: its issuance account and donation pool
SHUANGQIAO = "130802001001"  # a community in 双桥区, 承德
CITY_ADMIN = {"person_id": "adm-cd", "roles": ["city_admin"], "scope": CHENGDE}
COUNTY_ADMIN = {"person_id": "adm-sq", "roles": ["county_admin"], "scope": "130802000000"}
PROVINCE_ADMIN = {"person_id": "adm-he", "roles": ["province_admin"], "scope": "130000000000"}


def _pool(figures: dict, code: str = CHENGDE) -> int | None:
    return next((p["balance_minutes"] for p in figures["pools"] if p["region_code"] == code),
                None)


def _post(ledger, kind, debit, credit, minutes):
    [result] = ledger.create_transfers([{
        "id": f"{kind}:{uuid.uuid4().hex}", "kind": kind, "debit_account_id": debit,
        "credit_account_id": credit, "amount_minutes": minutes}])
    assert result["status"] == "posted", result


def test_the_pool_of_each_city_level_unit_is_in_the_statistics(ledger, clock):
    today = china_date(clock.now()).isoformat()
    issuance = ledger.open_account("issuance", CHENGDE)["account_id"]
    pool = ledger.open_account("donation_pool", CHENGDE)["account_id"]
    donor = ledger.open_account("personal", SHUANGQIAO, f"vol-{uuid.uuid4().hex[:8]}")
    elder = ledger.open_account("grant", SHUANGQIAO, f"elder-{uuid.uuid4().hex[:8]}")
    before = ledger.ledger_stats(CITY_ADMIN, None, today, today)
    assert _pool(before) is not None  # opened, so listed (at its balance)

    _post(ledger, "service_credit", issuance, donor["account_id"], 120)
    _post(ledger, "donation", donor["account_id"], pool, 90)
    _post(ledger, "pool_allocation", pool, elder["account_id"], 30)
    after = ledger.ledger_stats(CITY_ADMIN, None, today, today)
    assert _pool(after) - _pool(before) == 60  # 90 donated, 30 allocated
    assert [p["region_code"] for p in after["pools"]] == [CHENGDE]
    assert after["pool_minutes"] == _pool(after)
    assert after["donated_minutes"] - before["donated_minutes"] == 90
    assert after["liability_minutes"] - before["liability_minutes"] == 120
    yesterday = (dt.date.fromisoformat(today) - dt.timedelta(days=1)).isoformat()
    assert _pool(ledger.ledger_stats(CITY_ADMIN, None, yesterday, yesterday)) == _pool(after)

    # a county is paid by its city's pool: none of its own; the province sees every unit's
    county = ledger.ledger_stats(COUNTY_ADMIN, None, today, today)
    assert (county["pools"], county["pool_minutes"]) == ([], 0)
    province = ledger.ledger_stats(PROVINCE_ADMIN, None, today, today)
    assert _pool(province) == _pool(after)
    assert province["pool_minutes"] == sum(p["balance_minutes"] for p in province["pools"])
