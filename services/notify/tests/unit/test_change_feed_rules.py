"""What a municipal system learns of an event (pure): the changes it makes, what their
payload may show, and the opaque cursor."""
import datetime as dt

import pytest

from notify.domain.changes import (
    RULES,
    InvalidCursor,
    changes_of,
    cursor_expired,
    decode_cursor,
    encode_cursor,
)
from notify.entrypoints.changes import FEED_EVENTS

AT = dt.datetime(2030, 5, 2, 1, tzinfo=dt.UTC)
SHIJIAZHUANG = "130102001001"
BAODING = "130602001001"


def test_a_demand_event_becomes_one_change_of_its_region_with_ids_and_minutes_only():
    [change] = changes_of("service_recorded", {
        "record_id": "r-1", "demand_id": "d-1", "volunteer_id": "v-1", "elder_id": "e-1",
        "minutes": 90, "category": "chat", "region_code": SHIJIAZHUANG,
        "recorded_by": "op-1", "carrier_id": "c-1"}, None, AT)
    assert (change.kind, change.entity_id, change.region_code) == \
        ("service_record", "r-1", SHIJIAZHUANG)
    assert change.payload == {"demand_id": "d-1", "volunteer_id": "v-1", "elder_id": "e-1",
                              "minutes": 90, "category": "chat"}


def test_the_envelope_region_serves_when_the_payload_has_none():
    [change] = changes_of("hours_credited", {"transfer_id": "t-1", "person_id": "v-1",
                                             "minutes": 60, "balance_minutes": 600},
                          SHIJIAZHUANG, AT)
    assert change.kind == "credit" and change.region_code == SHIJIAZHUANG
    assert "balance_minutes" not in change.payload  # a person's balance is not the city's


def test_without_a_region_or_an_entity_or_a_rule_there_is_no_change():
    assert changes_of("hours_credited", {"transfer_id": "t-1"}, None, AT) == []
    assert changes_of("demand_published", {"region_code": SHIJIAZHUANG}, None, AT) == []
    assert changes_of("reservation_requested", {"demand_id": "d"}, SHIJIAZHUANG, AT) == []


def test_a_move_between_cities_is_told_to_both_and_within_a_city_once():
    moved = {"person_id": "p-1", "from_region_code": BAODING,
             "to_region_code": SHIJIAZHUANG, "profiles": ["elder"], "moved_by": "op"}
    assert [c.region_code for c in changes_of("person_moved", moved, None, AT)] == \
        [SHIJIAZHUANG, BAODING]
    near = {**moved, "from_region_code": "130104001001"}
    assert [c.region_code for c in changes_of("person_moved", near, None, AT)] == [SHIJIAZHUANG]


@pytest.mark.parametrize("reason, shown", [("expired", True), ("no_show", True),
                                           ("老人说不需要了", False), ("Not needed", False)])
def test_a_cancellation_reason_is_shown_only_when_it_is_a_code(reason, shown):
    [change] = changes_of("demand_cancelled", {"demand_id": "d-1", "reason": reason,
                                               "region_code": SHIJIAZHUANG}, None, AT)
    assert ("reason" in change.payload) is shown


def test_every_rule_has_its_handler_and_every_handler_its_rule():
    assert {contract.name for contract in FEED_EVENTS} == set(RULES)


def test_cursors_round_trip_and_look_opaque():
    cursor = encode_cursor(12345)
    assert "12345" not in cursor
    assert decode_cursor(cursor) == 12345
    assert decode_cursor(None) == 0


@pytest.mark.parametrize("cursor", ["nonsense!", encode_cursor(5)[:-1] + "$", "YzE6LTE",
                                    "YzI6NQ", "eDox"])
def test_a_cursor_the_feed_never_gave_is_refused(cursor):
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor)


def test_a_cursor_before_what_was_pruned_has_expired():
    assert cursor_expired(9, 10)
    assert not cursor_expired(10, 10)
    assert not cursor_expired(0, 0)
