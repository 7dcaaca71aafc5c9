"""notify's contracts: what callers send is refused as the gateway refuses it, and they load
nothing but marshmallow and the kit's pure core (tests/unit/test_layers.py)."""
import pytest

from notify.contracts import (
    CALL_TASK_READERS,
    CALL_TASK_RECORDERS,
    EVENTS,
    NOTIFICATION_FAILED,
    CallTaskListQuery,
    InboxQuery,
    PreferencesIn,
)
from timebank_common.caller import STATION_STAFF
from timebank_common.errors import BadInput
from timebank_common.schemas import load


def test_lists_page_as_every_list_does():
    assert load(InboxQuery(), None) == {"page": 1, "page_size": 20, "unread_only": False}
    assert load(CallTaskListQuery(), {}) == {"page": 1, "page_size": 20, "status": "open"}
    assert load(CallTaskListQuery(), {"page_size": 100, "status": "done"})["page_size"] == 100
    for query in (InboxQuery(), CallTaskListQuery()):
        with pytest.raises(BadInput):
            load(query, {"page_size": 101})
        with pytest.raises(BadInput):
            load(query, {"page": 0})
    with pytest.raises(BadInput):
        load(CallTaskListQuery(), {"status": "closed"})


def test_preferences_name_known_channels_and_quiet_hours_as_hh_mm():
    loaded = load(PreferencesIn(), {"channels": ["sms", "call"],
                                    "quiet_hours": {"start": "22:00", "end": "07:00"}})
    assert loaded["locale"] == "zh-CN" and loaded["nearby_demands"] is False
    for wrong in ({"channels": ["fax"]}, {},
                  {"channels": ["sms"], "quiet_hours": {"start": "25:00", "end": "7:00"}},
                  {"channels": ["sms"], "locale": "fr"}, {"channels": ["email"], "email": "x"}):
        with pytest.raises(BadInput):
            load(PreferencesIn(), wrong)


def test_call_tasks_are_for_station_staff_and_auditors_read_them():
    assert set(CALL_TASK_RECORDERS) == set(STATION_STAFF)
    assert set(CALL_TASK_READERS) == {*STATION_STAFF, "auditor"}


def test_notification_failed_is_the_event_notify_produces():
    assert EVENTS == (NOTIFICATION_FAILED,)
    assert (NOTIFICATION_FAILED.source, NOTIFICATION_FAILED.name) == ("notify",
                                                                     "notification_failed")
    assert NOTIFICATION_FAILED.dump({"delivery_id": "d", "attempts": 3, "last_error": None}) == {
        "delivery_id": "d", "attempts": 3, "last_error": None}
