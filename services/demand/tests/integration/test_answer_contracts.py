"""The answers the gateway sends, loaded back with the schema its route declares (the
gateway's strict mode does the same): every key present that is declared required, no key
undeclared, no null where none is allowed. Every integration test checks its answers this way
(``CHECK_CONTRACTS: strict``); these pin the cases whose shape depends on who asks."""
from demand.contracts import DemandPageOut, DemandWithHistoryOut, RecordOut

from .conftest import OPERATOR, published, served, volunteer


def test_a_demand_as_staff_carries_its_history_and_each_volunteers_reliability(in_process,
                                                                                 clock):
    demand = in_process()
    made, _ = served(demand, clock.now())
    seen = demand.get(OPERATOR, made["demand_id"])
    assert DemandWithHistoryOut().validate(seen) == {}
    assert seen["changes"] == [] and seen["escalation"] is None
    assert seen["assignments"][0]["reliability"]["assigned"] == 1


def test_a_published_demand_as_a_volunteer_has_no_history_and_still_conforms(in_process,
                                                                              clock):
    demand = in_process()
    made = published(demand, clock.now())
    seen = demand.get(volunteer(), made["demand_id"])
    assert DemandWithHistoryOut().validate(seen) == {}
    assert "changes" not in seen and "escalation" not in seen and seen["location"] is None


def test_a_list_and_a_fresh_record_conform(in_process, clock):
    demand = in_process()
    made, people = served(demand, clock.now())
    assert DemandPageOut().validate(demand.list(OPERATOR, {"page_size": 100})) == {}
    assert DemandPageOut().validate(demand.list(people[0], {"mine": True})) == {}
    record = demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": people[0]["person_id"], "minutes": 60, "confirmation": "phone",
        "confirmed_by": "elder", "note": None})
    assert RecordOut().validate(record) == {}
    assert record["corrected_minutes"] is None
