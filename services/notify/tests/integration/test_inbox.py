"""The inbox, through notify's entrypoints on real PostgreSQL (a rolled-back unit of work):
events become messages, once each; a person reads and marks their own."""
import datetime as dt
import uuid

import pytest

from timebank_common.errors import BadInput, Forbidden, NotFound

from .conftest import credited, event


def person():
    pid = f"p-{uuid.uuid4().hex[:8]}"
    return pid, {"person_id": pid, "roles": ["volunteer"], "scope": "130102001001"}


def test_hours_credited_puts_one_message_in_the_volunteers_inbox(notify):
    pid, caller = person()
    notify.on_hours_credited(credited(pid))
    inbox = notify.inbox(caller, {})
    assert inbox["total"] == 1 and inbox["unread"] == 1
    message = inbox["items"][0]
    assert message["kind"] == "hours_credited"
    assert message["title"] == "服务时长已入账"
    assert message["body"] == "您的服务时长 1小时30分 已存入时间账户，当前余额 1小时30分。"
    assert "1 h 30 min" in message["body_en"]
    assert message["read_at"] is None
    assert dt.datetime.fromisoformat(message["created_at"]).utcoffset() is not None


def test_the_same_event_delivered_twice_gives_one_message(notify):
    pid, caller = person()
    event = credited(pid, minutes=30, balance=120)
    notify.on_hours_credited(event)
    notify.on_hours_credited(event)  # redelivered: the inbox record says it was handled
    notify.on_hours_credited(credited(pid, minutes=60, balance=180))  # another event
    bodies = [m["body"] for m in notify.inbox(caller, {})["items"]]
    assert sorted(bodies) == sorted([
        "您的服务时长 30分 已存入时间账户，当前余额 2小时。",
        "您的服务时长 1小时 已存入时间账户，当前余额 3小时。",
    ])


def test_demand_assigned_tells_the_volunteer_the_window_in_beijing_time(notify):
    pid, caller = person()
    notify.on_demand_assigned(event("demand_assigned", {
        "demand_id": str(uuid.uuid4()), "volunteer_id": pid, "elder_id": "e-1",
        "window_start": "2030-05-01T01:00:00+00:00", "window_end": "2030-05-01T03:00:00+00:00",
        "open_slots": 0,
    }))
    [message] = notify.inbox(caller, {})["items"]
    assert message["title"] == "您已接单"
    assert "2030年5月1日 09:00–11:00" in message["body"]


def test_mark_read_is_idempotent_and_only_for_the_owner(notify):
    pid, caller = person()
    _, stranger = person()
    notify.on_hours_credited(credited(pid))
    [message] = notify.inbox(caller, {})["items"]

    with pytest.raises(NotFound):
        notify.mark_read(stranger, message["id"])
    assert notify.inbox(caller, {})["unread"] == 1

    first = notify.mark_read(caller, message["id"])
    assert first["read_at"] is not None
    again = notify.mark_read(caller, message["id"])
    assert again["read_at"] == first["read_at"]
    box = notify.inbox(caller, {"unread_only": True})
    assert box["total"] == 0 and box["unread"] == 0
    assert notify.inbox(caller, {})["total"] == 1


def test_inbox_pages_and_refuses_bad_input(notify):
    pid, caller = person()
    for minutes in (10, 20, 30):
        notify.on_hours_credited(credited(pid, minutes=minutes))
    page = notify.inbox(caller, {"page": 2, "page_size": 2})
    assert len(page["items"]) == 1 and page["total"] == 3
    assert notify.inbox(caller)["total"] == 3  # no query: the first page of 20
    with pytest.raises(BadInput):
        notify.inbox(caller, {"page_size": 101})
    with pytest.raises(BadInput) as refused:
        notify.mark_read(caller, "not-a-uuid")
    assert refused.value.code == "invalid_message_id"
    with pytest.raises(Forbidden):
        notify.inbox({"client_id": "city-system", "roles": ["api_client"]}, {})
