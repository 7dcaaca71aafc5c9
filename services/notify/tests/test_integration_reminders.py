"""Reminders 24 h and 1 h before an assigned service, kept in notify's database: a notify
process killed before a reminder is due loses nothing, and the processes that run after it
(two side by side, then a restart) send it exactly once."""
import datetime as dt
import uuid
from functools import partial

import eventlet
import pytest
from sqlalchemy import create_engine, text
from timebank_testing import wait_for as shared_wait_for

from notify.service import NotifyService
from timebank_common.db import make_event

from .conftest import PEOPLE, FakeIdentity

pytestmark = pytest.mark.integration
REGION = "130102001001"
wait_for = partial(shared_wait_for, timeout=20.0)


@pytest.fixture(scope="module")
def identity(service_config, start_module_service):
    start_module_service(FakeIdentity, service_config(None))


@pytest.fixture(scope="module")
def database(notify_config):
    engine = create_engine(notify_config["DATABASE_URL"])
    yield engine
    engine.dispose()


@pytest.fixture
def start_notify(identity, notify_config, start_service):
    return lambda: start_service(NotifyService, {**notify_config,
                                                 "WEB_SERVER_ADDRESS": "127.0.0.1:0"})


def person(role, name):
    pid = str(uuid.uuid4())
    PEOPLE[pid] = {"name": name, "phone": f"137{uuid.uuid4().int % 10**8:08d}",
                   "region_code": REGION, "is_elder": role == "elder"}
    return pid, {"person_id": pid, "roles": [role], "scope": REGION}


def die(container, database):
    """Kill a notify process as the OS would: the container stops at once and its database
    sessions end (an in-process kill leaves them open, holding their row locks)."""
    container.kill()
    with database.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()"))


def reminders(database, demand_id):
    with database.connect() as conn:
        return conn.execute(text(
            "SELECT person_id, lead, status FROM reminders WHERE demand_id = :d "
            "ORDER BY lead, person_id"), {"d": demand_id}).all()


def assigned(demand_id, volunteer, elder, start):
    return make_event("demand_assigned", {
        "demand_id": demand_id, "volunteer_id": volunteer, "elder_id": elder,
        "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(hours=1)).isoformat(), "open_slots": 0}, REGION)


def reminder_messages(notify, caller):
    return [m for m in notify.inbox(caller, {})["items"] if m["kind"] == "service_reminder"]


def test_a_reminder_survives_a_killed_process_and_is_sent_once(
        start_notify, rpc, event_bus, database, fake_sms):
    volunteer, volunteer_caller = person("volunteer", "李明")
    elder, elder_caller = person("elder", "王秀英")
    first = start_notify()
    with rpc("notify") as notify:
        for caller in (volunteer_caller, elder_caller):
            notify.set_preferences(caller, {"channels": ["sms"], "quiet_hours": None})
    demand_id = str(uuid.uuid4())
    start = dt.datetime.now(dt.UTC) + dt.timedelta(hours=24, seconds=4)
    event_bus.publish("demand", assigned(demand_id, volunteer, elder, start))
    wait_for(lambda: len(reminders(database, demand_id)) == 4)
    wait_for(lambda: fake_sms.to(PEOPLE[volunteer]["phone"]) and fake_sms.to(PEOPLE[elder]["phone"]))
    die(first, database)  # the process dies before the 24-hour reminder is due

    eventlet.sleep(max(0.0, (start - dt.timedelta(hours=24)
                             - dt.datetime.now(dt.UTC)).total_seconds()) + 0.5)
    assert [r.status for r in reminders(database, demand_id)] == ["scheduled"] * 4

    start_notify(), start_notify()  # two processes side by side pick it up
    with rpc("notify") as notify:
        [to_volunteer] = wait_for(lambda: reminder_messages(notify, volunteer_caller))
        [to_elder] = wait_for(lambda: reminder_messages(notify, elder_caller))
        assert to_volunteer["body"].startswith("明天（")
        assert to_elder["body"].endswith("李明将上门为您服务。")
        wait_for(lambda: fake_sms.to(PEOPLE[elder]["phone"]))
        eventlet.sleep(1.0)
        start_notify()  # and a restart later repeats nothing
        eventlet.sleep(1.0)
        assert len(reminder_messages(notify, volunteer_caller)) == 1
        assert len(reminder_messages(notify, elder_caller)) == 1
    assert len([s for s in fake_sms.to(PEOPLE[volunteer]["phone"])
                if s["TemplateParamSet"][0] == "服务提醒"]) == 1
    assert len(fake_sms.to(PEOPLE[elder]["phone"])) == 2  # "志愿者已接单" and the reminder
    assert [(r.lead, r.status) for r in reminders(database, demand_id)] == [
        ("1h", "scheduled"), ("1h", "scheduled"), ("24h", "sent"), ("24h", "sent")]


def test_cancelled_and_withdrawn_services_are_not_reminded(start_notify, rpc, event_bus,
                                                          database):
    volunteer, volunteer_caller = person("volunteer", "李明")
    other, other_caller = person("volunteer", "赵磊")
    elder, elder_caller = person("elder", "王秀英")
    start_notify()
    start = dt.datetime.now(dt.UTC) + dt.timedelta(hours=24, seconds=2)
    cancelled, withdrawn = str(uuid.uuid4()), str(uuid.uuid4())
    event_bus.publish("demand", assigned(cancelled, volunteer, elder, start))
    event_bus.publish("demand", assigned(withdrawn, other, elder, start))
    wait_for(lambda: len(reminders(database, cancelled)) == 4
             and len(reminders(database, withdrawn)) == 4)
    event_bus.publish("demand", make_event("demand_cancelled", {
        "demand_id": cancelled, "elder_id": elder, "reason": "老人身体不适",
        "volunteer_ids": [volunteer]}, REGION))
    event_bus.publish("demand", make_event("assignment_withdrawn", {
        "demand_id": withdrawn, "volunteer_id": other, "reason": "临时有事", "open_slots": 1,
        "region_code": REGION}, REGION))
    wait_for(lambda: {r.status for r in reminders(database, cancelled)} == {"cancelled"})
    wait_for(lambda: {r.status for r in reminders(database, withdrawn)} == {"cancelled"})
    eventlet.sleep(3.0)  # past the time the 24-hour reminders would have been due
    with rpc("notify") as notify:
        assert reminder_messages(notify, volunteer_caller) == []
        assert reminder_messages(notify, elder_caller) == []
        kinds = sorted(m["kind"] for m in notify.inbox(elder_caller, {})["items"])
        assert kinds == ["assignment_withdrawn", "demand_assigned", "demand_assigned",
                         "demand_cancelled"]
        change = next(m for m in notify.inbox(elder_caller, {})["items"]
                      if m["kind"] == "assignment_withdrawn")
        assert "服务站正在为您重新安排" in change["body"]
        cancelled_message = next(m for m in notify.inbox(volunteer_caller, {})["items"]
                                 if m["kind"] == "demand_cancelled")
        assert "老人身体不适" in cancelled_message["body"]


def test_a_consumer_killed_while_handling_and_restarted_sends_each_message_once(
        start_notify, rpc, event_bus, fake_sms, database):
    """Killed anywhere — before the commit, after it, or while the provider is asked — and the
    events delivered again: one message each, and never a second SMS. A delivery caught in
    the middle of its send is made dead ("interrupted") for a person to check, not resent."""
    people = [person("volunteer", "李明") for _ in range(5)]
    first = start_notify()
    with rpc("notify") as notify:
        for _, caller in people:
            notify.set_preferences(caller, {"channels": ["sms"], "quiet_hours": None})
    events = [make_event("hours_credited", {
        "transfer_id": str(uuid.uuid4()), "person_id": pid, "minutes": 60,
        "balance_minutes": 60, "kind": "service_credit"}, REGION) for pid, _ in people]
    for event in events:
        event_bus.publish("ledger", event)
    eventlet.sleep(0.3)
    die(first, database)
    start_notify()
    for event in events:  # and the broker (or a relay) delivers them all again
        event_bus.publish("ledger", event)

    def settled(caller):
        box = notify.inbox(caller, {})
        states = [d["status"] for m in box["items"] for d in m["deliveries"]]
        return box["total"] == 1 and states in (["sent"], ["dead"])

    with rpc("notify") as notify:
        wait_for(lambda: all(settled(caller) for _, caller in people))
        eventlet.sleep(1.0)
        for pid, caller in people:
            assert notify.inbox(caller, {})["total"] == 1
            [delivery] = notify.inbox(caller, {})["items"][0]["deliveries"]
            sent = len(fake_sms.to(PEOPLE[pid]["phone"]))
            assert sent <= 1
            if delivery["status"] == "sent":
                assert sent == 1
        ours = {pid for pid, _ in people}
        for dead in notify.dead_deliveries()["items"]:
            if dead["person_id"] in ours:  # for an operator to check, then replay
                assert dead["last_error"].startswith("interrupted while sending")


def test_a_group_service_reminds_the_elder_once_naming_who_still_comes(
        start_notify, rpc, event_bus, database):
    li, li_caller = person("volunteer", "李明")
    zhao, zhao_caller = person("volunteer", "赵磊")
    elder, elder_caller = person("elder", "王秀英")
    start_notify()
    demand_id = str(uuid.uuid4())
    start = dt.datetime.now(dt.UTC) + dt.timedelta(hours=24, seconds=3)
    event_bus.publish("demand", assigned(demand_id, li, elder, start))
    event_bus.publish("demand", assigned(demand_id, zhao, elder, start))
    wait_for(lambda: len(reminders(database, demand_id)) == 6)  # 2 leads × (2 volunteers + elder)
    event_bus.publish("demand", make_event("assignment_withdrawn", {
        "demand_id": demand_id, "volunteer_id": zhao, "reason": "临时有事", "open_slots": 1,
        "region_code": REGION}, REGION))
    with rpc("notify") as notify:
        [to_elder] = wait_for(lambda: reminder_messages(notify, elder_caller))
        assert to_elder["body"].endswith("）李明将上门为您服务。")
        wait_for(lambda: reminder_messages(notify, li_caller))
        eventlet.sleep(1.0)
        assert len(reminder_messages(notify, elder_caller)) == 1
        assert reminder_messages(notify, zhao_caller) == []
