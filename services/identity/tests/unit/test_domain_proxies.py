"""Who may be an elder's proxy, and what a proxy's token says (pure rules)."""
import uuid

import pytest

from identity.domain.access import caller_claims
from identity.domain.proxies import ProxyRefused, check_proxy, station_acts_for


def test_a_verified_direct_relative_may_be_a_proxy():
    check_proxy("elder-1", "daughter-1", verified_relative=True)


@pytest.mark.parametrize("proxy, verified, reason", [
    ("elder-1", True, "self_proxy"),
    ("neighbour-1", False, "not_verified_relative"),
])
def test_anyone_else_is_refused_with_the_reason(proxy, verified, reason):
    with pytest.raises(ProxyRefused) as info:
        check_proxy("elder-1", proxy, verified)
    assert info.value.reason == reason and info.value.zh and info.value.en


def test_only_the_elders_own_station_acts_for_them():
    station = uuid.uuid4()
    assert station_acts_for([None, station], str(station))
    assert not station_acts_for([uuid.uuid4()], station)
    assert not station_acts_for([None], None)


def test_a_proxys_token_carries_the_relative_role_and_keeps_their_scope():
    person = {"id": uuid.uuid4(), "name": "王志刚", "region_code": "130102001001"}
    grants = [{"role": "volunteer", "scope_code": "130102001001", "carrier_id": None}]
    claims = caller_claims(person, grants, acts_for_elders=True)
    assert claims["roles"] == ["relative", "volunteer"] and claims["scope"] == "130102001001"
    assert caller_claims(person, grants)["roles"] == ["volunteer"]
    assert caller_claims(person, [], acts_for_elders=True)["roles"] == ["relative"]
