"""The notify service in a real nameko container, on real PostgreSQL and RabbitMQ.

Events are published the way the outbox relay publishes them: the envelope from
``make_event`` as JSON on ``<source>.events`` with the event type as routing key.
"""
import datetime as dt
import uuid
from functools import partial

import eventlet
import pytest
from timebank_testing import wait_for as shared_wait_for

from notify.service import NotifyService
from timebank_common.db import make_event
from timebank_common.errors import BadInput, Forbidden, NotFound

from .conftest import FakeIdentity

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def running(service_config, start_module_service):
    start_module_service(FakeIdentity, service_config(None))  # names for the texts
    start_module_service(NotifyService, service_config("notify"))


@pytest.fixture
def notify(running, rpc):
    with rpc("notify") as proxy:
        yield proxy


@pytest.fixture
def publish(event_bus):
    return event_bus.publish


def person():
    pid = f"p-{uuid.uuid4().hex[:8]}"
    return pid, {"person_id": pid, "roles": ["volunteer"], "scope": "130102001001"}


wait_for = partial(shared_wait_for, timeout=10.0)


def credited(person_id, minutes=90, balance=90):
    return make_event("hours_credited", {
        "transfer_id": str(uuid.uuid4()), "person_id": person_id, "minutes": minutes,
        "balance_minutes": balance, "kind": "service_credit", "record_id": str(uuid.uuid4()),
        "demand_id": str(uuid.uuid4()),
    }, "130102001001")


def test_hours_credited_puts_one_message_in_the_volunteers_inbox(notify, publish):
    pid, caller = person()
    publish("ledger", credited(pid))
    inbox = wait_for(lambda: (box := notify.inbox(caller, {}))["total"] and box)
    assert inbox["total"] == 1 and inbox["unread"] == 1
    message = inbox["items"][0]
    assert message["kind"] == "hours_credited"
    assert message["title"] == "服务时长已入账"
    assert message["body"] == "您的服务时长 1小时30分 已存入时间账户，当前余额 1小时30分。"
    assert "1 h 30 min" in message["body_en"]
    assert message["read_at"] is None
    assert dt.datetime.fromisoformat(message["created_at"]).utcoffset() is not None


def test_the_same_event_delivered_twice_gives_one_message(notify, publish):
    pid, caller = person()
    event = credited(pid, minutes=30, balance=120)
    publish("ledger", event)
    publish("ledger", event)
    publish("ledger", credited(pid, minutes=60, balance=180))  # a different event: a message
    wait_for(lambda: notify.inbox(caller, {})["total"] >= 2)
    eventlet.sleep(0.5)  # give a wrongly stored duplicate the time to appear
    bodies = [m["body"] for m in notify.inbox(caller, {})["items"]]
    assert len(bodies) == 2
    assert sorted(bodies) == sorted([
        "您的服务时长 30分 已存入时间账户，当前余额 2小时。",
        "您的服务时长 1小时 已存入时间账户，当前余额 3小时。",
    ])


def test_demand_assigned_tells_the_volunteer_the_window_in_beijing_time(notify, publish):
    pid, caller = person()
    publish("demand", make_event("demand_assigned", {
        "demand_id": str(uuid.uuid4()), "volunteer_id": pid, "elder_id": "e-1",
        "window_start": "2030-05-01T01:00:00+00:00", "window_end": "2030-05-01T03:00:00+00:00",
        "open_slots": 0,
    }, "130102001001"))
    inbox = wait_for(lambda: (box := notify.inbox(caller, {}))["total"] and box)
    message = inbox["items"][0]
    assert message["title"] == "您已接单"
    assert "2030年5月1日 09:00–11:00" in message["body"]


def test_mark_read_is_idempotent_and_only_for_the_owner(notify, publish):
    pid, caller = person()
    _, stranger = person()
    publish("ledger", credited(pid))
    message = wait_for(lambda: notify.inbox(caller, {})["items"])[0]

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


def test_inbox_pages_and_refuses_bad_input(notify, publish):
    pid, caller = person()
    for minutes in (10, 20, 30):
        publish("ledger", credited(pid, minutes=minutes, balance=minutes))
    wait_for(lambda: notify.inbox(caller, {})["total"] == 3)
    page = notify.inbox(caller, {"page": 2, "page_size": 2})
    assert len(page["items"]) == 1 and page["total"] == 3
    with pytest.raises(BadInput):
        notify.inbox(caller, {"page_size": 101})
    with pytest.raises(BadInput):
        notify.mark_read(caller, "not-a-uuid")
    with pytest.raises(Forbidden):
        notify.inbox({"client_id": "city-system", "roles": ["api_client"]}, {})
