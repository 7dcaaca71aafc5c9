"""Four eyes on the donation pool: an admin who is themself one of the pool's priority elders
does not allocate it (403 ``own_allocation``), and nothing is moved; another admin may."""
import uuid

import pytest

from timebank_common.errors import Forbidden, RuleViolation

SHIJIAZHUANG = "130100000000"


def test_an_admin_who_is_a_priority_elder_does_not_allocate_the_pool(ledger, identity):
    admin_elder = identity.add_elder(region_code="130102001001", hardship=["empty_nest"])
    admin = {"person_id": admin_elder, "roles": ["city_admin"], "scope": SHIJIAZHUANG}
    body = {"region_code": SHIJIAZHUANG, "allocation_id": "alloc-own", "minutes_each": 60}
    with pytest.raises(Forbidden) as refused:
        ledger.allocate_pool(admin, body)
    assert refused.value.code == "own_allocation"
    other = {"person_id": "adm-other", "roles": ["city_admin"], "scope": SHIJIAZHUANG}
    try:  # past the four eyes: allocated, or refused only for an empty pool
        outcome = ledger.allocate_pool(other, body)
    except RuleViolation as empty:
        assert empty.code == "nothing_to_allocate"
    else:
        assert outcome["allocation_id"] == "alloc-own"


def test_each_elder_allocated_a_share_is_told_once(ledger, identity, emitted):
    """``pool_allocated`` per share, in the elder's region, and none again for a repeat."""
    region = "130102001001"
    donor = f"donor-{uuid.uuid4().hex[:8]}"
    fund_pool(ledger, region, donor, 120)
    elders = [identity.add_elder(region_code=region, hardship=["empty_nest"]) for _ in range(2)]
    admin = {"person_id": "adm-pool", "roles": ["city_admin"], "scope": SHIJIAZHUANG}
    body = {"region_code": SHIJIAZHUANG, "allocation_id": "alloc-told", "minutes_each": 1}
    result = ledger.allocate_pool(admin, body)
    again = ledger.allocate_pool(admin, body)
    assert again["repeated"]
    told = [p for p in emitted("pool_allocated") if p["allocation_id"] == "alloc-told"]
    assert sorted((p["transfer_id"], p["person_id"], p["minutes"], p["pool_region_code"])
                  for p in told) == sorted(
        (a["transfer_id"], a["person_id"], 1, SHIJIAZHUANG) for a in result["allocated"])
    assert set(elders) <= {p["person_id"] for p in told}


def fund_pool(ledger, region, donor, minutes):
    issuance = ledger.open_account("issuance", SHIJIAZHUANG)
    personal = ledger.open_account("personal", region, donor)
    [funded] = ledger.create_transfers([{
        "id": f"fund-{donor}-{minutes}", "kind": "service_credit",
        "debit_account_id": issuance["account_id"], "credit_account_id": personal["account_id"],
        "amount_minutes": minutes}])
    assert funded["status"] in ("posted", "exists")
    ledger.give({"person_id": donor, "roles": ["volunteer"], "scope": None},
                {"kind": "donation", "minutes": minutes}, f"give-{donor}-{minutes}")
