"""Funding-source fallback, gift and donation rules, allocation order, dispute amounts."""
import datetime as dt

import pytest

from demand.contracts import FUNDING_SOURCES as DEMAND_SOURCES
from ledger.domain.allocation import (
    allocation_order,
    allocation_requests,
    require_not_a_recipient,
    shares,
)
from ledger.domain.disputes import reversal_minutes
from ledger.domain.funding import choose_payer, normalised
from ledger.domain.giving import check_funds, check_gift, giving_id
from timebank_common.errors import BadInput, Forbidden, RuleViolation


def test_the_named_source_pays_when_it_can():
    assert choose_payer("own_hours", 60, 90) == ("own_hours", None)
    assert choose_payer("grant", 60, 60) == ("grant", None)
    assert choose_payer("pool", 60, 500) == ("pool", None)
    # demand's review offers the pool as ``donation_pool``: the pool pays, not issuance
    assert choose_payer("donation_pool", 60, 500) == ("pool", None)
    assert choose_payer("donation_pool", 60, 30) == ("issuance", "source_insufficient")
    assert choose_payer("issuance", 60, None) == ("issuance", None)


def test_issuance_pays_when_the_source_cannot_and_says_why():
    assert choose_payer("own_hours", 60, 30) == ("issuance", "source_insufficient")
    assert choose_payer("grant", 60, None) == ("issuance", "source_account_missing")
    assert choose_payer("own_hours", 60, 90, elder_named=False) == ("issuance", "no_elder_named")
    assert choose_payer(None, 60, None) == ("issuance", None)
    assert choose_payer("gold", 60, None) == ("issuance", None)


def test_a_gift_needs_a_verified_direct_relative_other_than_oneself():
    check_gift("a", "b", related=True)
    for to, related, code in [("b", False, "not_direct_relatives"), ("a", True, "gift_to_self")]:
        with pytest.raises(RuleViolation) as refused:
            check_gift("a", to, related)
        assert refused.value.code == code
    with pytest.raises(BadInput):
        check_gift("a", None, related=False)


def test_only_earned_hours_can_be_given():
    check_funds(earned_available=60, grant_available=0, minutes=60)
    with pytest.raises(RuleViolation) as refused:
        check_funds(earned_available=30, grant_available=120, minutes=60)
    assert refused.value.code == "grant_hours_not_giftable"
    assert "补贴" in refused.value.zh and "Grant hours" in refused.value.en
    with pytest.raises(RuleViolation) as refused:
        check_funds(earned_available=30, grant_available=10, minutes=60)
    assert refused.value.code == "insufficient_balance"


def test_the_transfer_id_follows_from_giver_and_key():
    assert giving_id("gift_to_relative", "p1", "k-1") == "gift:p1:k-1"
    assert giving_id("donation", "p1", "k-1") == "donation:p1:k-1"
    assert len(giving_id("donation", "p" * 64, "k" * 100)) <= 200
    with pytest.raises(BadInput):
        giving_id("donation", "p1", "")


ELDERS = [
    {"person_id": "old-82", "categories": ["advanced_age"], "birth_date": "1944-03-01"},
    {"person_id": "alone-70", "categories": ["empty_nest"], "birth_date": "1956-05-05"},
    {"person_id": "alone-85", "categories": ["empty_nest", "advanced_age"],
     "birth_date": dt.date(1941, 1, 1)},
    {"person_id": "poor-90", "categories": ["economic_hardship"], "birth_date": "1936-07-07"},
    {"person_id": "unknown", "categories": ["disability"], "birth_date": None},
]


def test_living_alone_first_then_oldest_first():
    assert [e["person_id"] for e in allocation_order(ELDERS)] == [
        "alone-85", "alone-70", "poor-90", "old-82", "unknown"]


def test_whole_shares_while_the_pool_lasts():
    assert shares(ELDERS, 250, 100) == [("alone-85", 100), ("alone-70", 100)]
    assert shares(ELDERS, 99, 100) == []


def test_an_allocation_is_one_linked_chain():
    requests = allocation_requests("a1", "pool", {"x": "gx", "y": "gy"},
                                   [("x", 100), ("y", 100)], None, "adm")
    assert [r.linked for r in requests] == [True, False]
    assert [r.transfer_id for r in requests] == ["pool_allocation:a1:x", "pool_allocation:a1:y"]
    assert {r.kind for r in requests} == {"pool_allocation"}


def test_dispute_outcomes_reverse_nothing_part_or_all():
    assert reversal_minutes("upheld", 90, None) is None
    assert reversal_minutes("voided", 90, None) == 90
    assert reversal_minutes("minutes_adjusted", 90, 60) == 30
    assert reversal_minutes("minutes_adjusted", 90, 90) is None
    with pytest.raises(RuleViolation):
        reversal_minutes("minutes_adjusted", 90, 120)
    with pytest.raises(RuleViolation):
        reversal_minutes("minutes_adjusted", 90, None)


def test_every_funding_source_demand_offers_is_known_to_the_ledger():
    """Each name demand's review accepts must reach the account it names."""
    assert {source: normalised(source) for source in DEMAND_SOURCES} == {
        "issuance": "issuance", "own_hours": "own_hours", "grant": "grant",
        "donation_pool": "pool"}


def test_a_service_record_naming_an_unknown_source_is_refused_not_paid_by_the_city():
    from demand.contracts import SERVICE_RECORDED

    def envelope(source):
        return {"event_id": "e-1", "occurred_at": "2030-05-01T09:00:00+08:00", "payload": {
            "record_id": "r-1", "demand_id": "d-1", "volunteer_id": "v-1", "minutes": 30,
            "recorded_at": "2030-05-01T09:00:00+08:00", "funding_source": source}}

    for source in DEMAND_SOURCES:
        assert SERVICE_RECORDED.load_event(envelope(source))
    with pytest.raises(BadInput):
        SERVICE_RECORDED.load_event(envelope("donationpool"))


def test_an_admin_among_the_priority_elders_does_not_allocate_the_pool():
    elders = [{"person_id": "e1"}, {"person_id": "adm"}]
    with pytest.raises(Forbidden) as refused:
        require_not_a_recipient("adm", elders)
    assert refused.value.code == "own_allocation"
    require_not_a_recipient("adm-2", elders)
    require_not_a_recipient(None, elders)
