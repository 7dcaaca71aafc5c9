"""Four eyes on the donation pool: an admin who is themself one of the pool's priority elders
does not allocate it (403 ``own_allocation``), and nothing is moved; another admin may."""
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
