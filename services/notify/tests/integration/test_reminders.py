"""Reminders 24 h and 1 h before an assigned service, kept in notify's database.

Processes killed and restarted (nameko containers on real RabbitMQ and PostgreSQL, all
reading one ``FixedClock`` the test moves instead of waiting for the time to come): a
reminder survives a process killed before it is due and the processes that run after it
(two side by side, then a restart) send it exactly once; a consumer killed while handling
sends each message once. Who is reminded (cancellations, withdrawals, a group service) is
checked through the entrypoints on a rolled-back unit of work.
"""
import datetime as dt
import uuid
from functools import partial

import eventlet
import pytest
from sqlalchemy import create_engine, text
from timebank_testing import wait_for as shared_wait_for

from notify.service import NotifyService

from .conftest import REGION, assigned, event, identity_fake, someone

wait_for = partial(shared_wait_for, timeout=60.0)  # CI runs three suites side by side


def reminder_messages(notify, caller):
    return [m for m in notify.inbox(caller, {})["items"] if m["kind"] == "service_reminder"]


# --- processes killed and restarted -----------------------------------------------------------
@pytest.fixture(scope="module")
def identity():
    """The module's identity: served to the notify processes (``identity_service``) and
    given to the in-process ``notify``."""
    return identity_fake()


@pytest.fixture(scope="module")
def identity_service(identity, service_config, start_module_service):
    start_module_service(identity.service_class(), service_config(None))


@pytest.fixture(scope="module")
def database(notify_config):
    engine = create_engine(notify_config["DATABASE_URL"])
    yield engine
    engine.dispose()


PROCESS = "notify-process"  # the application name of the notify processes' sessions


@pytest.fixture
def start_notify(identity_service, notify_config, start_service, clock):
    url = f"{notify_config['DATABASE_URL']}?application_name={PROCESS}"
    return lambda: start_service(NotifyService, {**notify_config, "CLOCK": clock,
                                                 "DATABASE_URL": url,
                                                 "WEB_SERVER_ADDRESS": "127.0.0.1:0"})


def die(container, database):
    """Kill a notify process as the OS would: the container stops at once and its database
    sessions end (an in-process kill leaves them open, holding their row locks)."""
    container.kill()
    with database.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND application_name = :name"),
                     {"name": PROCESS})


def reminders(database, demand_id):
    with database.connect() as conn:
        return conn.execute(text(
            "SELECT person_id, lead, status FROM reminders WHERE demand_id = :d "
            "ORDER BY lead, person_id"), {"d": demand_id}).all()


def sent(predicate, clock, step: float = 1.0, most: float = 1200.0):
    """Wait for SMS to arrive. A send that failed for a moment on a loaded machine (identity's
    answer or the provider's late) is retried after its backoff (0.2-1 s here); the fixed
    clock would never reach that retry, so it moves on ``step`` seconds per poll while
    waiting, as time would pass, ``most`` seconds in all."""
    moved = [0.0]

    def arrived():
        if predicate():
            return True
        if moved[0] + step <= most:
            clock.advance(seconds=step)
            moved[0] += step
        return False

    return wait_for(arrived, what=lambda: f"the SMS (the clock moved on {moved[0]:.0f} s)")


def settle():
    eventlet.sleep(0.6)  # three timer ticks: room for a wrong repeat to show up


def test_a_reminder_survives_a_killed_process_and_is_sent_once(
        start_notify, identity, rpc, event_bus, database, fake_sms, clock):
    volunteer, volunteer_caller = someone(identity, "volunteer", name="李明")
    elder, elder_caller = someone(identity, "elder", name="王秀英")
    first = start_notify()
    with rpc("notify") as notify:
        for caller in (volunteer_caller, elder_caller):
            notify.set_preferences(caller, {"channels": ["sms"], "quiet_hours": None})
    demand_id = str(uuid.uuid4())
    start = clock.now() + dt.timedelta(hours=24, seconds=4)
    event_bus.publish("demand", assigned(volunteer, elder, start, demand_id=demand_id))
    wait_for(lambda: len(reminders(database, demand_id)) == 4)
    sent(lambda: fake_sms.to(identity.people[volunteer].phone)
         and fake_sms.to(identity.people[elder].phone), clock, step=0.25, most=3)  # < the 4 s
    die(first, database)  # the process dies before the 24-hour reminder is due

    clock.advance(seconds=5)  # the reminder falls due while no process runs
    assert [r.status for r in reminders(database, demand_id)] == ["scheduled"] * 4

    fake_sms.fail_phones[identity.people[elder].phone] = 1
    start_notify(), start_notify()  # two processes side by side pick it up
    with rpc("notify") as notify:
        [to_volunteer] = wait_for(lambda: reminder_messages(notify, volunteer_caller))
        [to_elder] = wait_for(lambda: reminder_messages(notify, elder_caller))
        assert to_volunteer["body"].startswith("明天（")
        assert to_elder["body"].endswith("李明将上门为您服务。")
        # at most 20 minutes on: the 1-hour reminders (23 hours on) stay scheduled
        sent(lambda: len(fake_sms.to(identity.people[elder].phone)) == 2, clock)
        settle()
        start_notify()  # and a restart later repeats nothing
        settle()
        assert len(reminder_messages(notify, volunteer_caller)) == 1
        assert len(reminder_messages(notify, elder_caller)) == 1
    assert len([s for s in fake_sms.to(identity.people[volunteer].phone)
                if s["TemplateParamSet"][0] == "服务提醒"]) == 1
    assert len(fake_sms.to(identity.people[elder].phone)) == 2  # "志愿者已接单" and the reminder
    assert [(r.lead, r.status) for r in reminders(database, demand_id)] == [
        ("1h", "scheduled"), ("1h", "scheduled"), ("24h", "sent"), ("24h", "sent")]


def test_a_consumer_killed_while_handling_and_restarted_sends_each_message_once(
        start_notify, identity, rpc, event_bus, fake_sms, database, clock):
    """Killed anywhere — before the commit, after it, or while the provider is asked — and the
    events delivered again: one message each, and never a second SMS. A delivery caught in
    the middle of its send is made dead ("interrupted") for a person to check, not resent."""
    people = [someone(identity, "volunteer", name="李明") for _ in range(5)]
    first = start_notify()
    with rpc("notify") as notify:
        for _, caller in people:
            notify.set_preferences(caller, {"channels": ["sms"], "quiet_hours": None})
    events = [event("hours_credited", {
        "transfer_id": str(uuid.uuid4()), "person_id": pid, "minutes": 60,
        "balance_minutes": 60, "kind": "service_credit"}) for pid, _ in people]
    for envelope in events:
        event_bus.publish("ledger", envelope)
    eventlet.sleep(0.3)  # the kill lands somewhere in the middle of the handling
    die(first, database)
    clock.advance(seconds=3)  # past the sending lease (2 s) of what the kill interrupted
    start_notify()
    for envelope in events:  # and the broker (or a relay) delivers them all again
        event_bus.publish("ledger", envelope)

    def settled(caller):
        box = notify.inbox(caller, {})
        states = [d["status"] for m in box["items"] for d in m["deliveries"]]
        return box["total"] == 1 and states in (["sent"], ["dead"])

    with rpc("notify") as notify:
        wait_for(lambda: all(settled(caller) for _, caller in people))
        settle()
        for pid, caller in people:
            assert notify.inbox(caller, {})["total"] == 1
            [delivery] = notify.inbox(caller, {})["items"][0]["deliveries"]
            sent = len(fake_sms.to(identity.people[pid].phone))
            assert sent <= 1
            if delivery["status"] == "sent":
                assert sent == 1
        ours = {pid for pid, _ in people}
        for dead in notify.dead_deliveries()["items"]:
            if dead["person_id"] in ours:  # for an operator to check, then replay
                assert dead["last_error"].startswith("interrupted while sending")


# --- who is reminded (no broker) ----------------------------------------------------------------
def reminder_rows(uow_factory, demand_id):
    with uow_factory("notify")() as uow:
        return uow.execute(text(
            "SELECT person_id, lead, status FROM reminders WHERE demand_id = :d "
            "ORDER BY lead, person_id"), {"d": demand_id}).all()


def test_cancelled_and_withdrawn_services_are_not_reminded(notify, identity, clock, uow_factory):
    volunteer, volunteer_caller = someone(identity, "volunteer", name="李明")
    other, other_caller = someone(identity, "volunteer", name="赵磊")
    elder, elder_caller = someone(identity, "elder", name="王秀英")
    start = clock.now() + dt.timedelta(hours=24, seconds=2)
    cancelled, withdrawn = str(uuid.uuid4()), str(uuid.uuid4())
    notify.on_demand_assigned(assigned(volunteer, elder, start, demand_id=cancelled))
    notify.on_demand_assigned(assigned(other, elder, start, demand_id=withdrawn))
    assert len(reminder_rows(uow_factory, cancelled)) == 4
    assert len(reminder_rows(uow_factory, withdrawn)) == 4
    notify.on_demand_cancelled(event("demand_cancelled", {
        "demand_id": cancelled, "elder_id": elder, "reason": "老人身体不适",
        "volunteer_ids": [volunteer]}))
    notify.on_assignment_withdrawn(event("assignment_withdrawn", {
        "demand_id": withdrawn, "volunteer_id": other, "reason": "临时有事", "open_slots": 1,
        "region_code": REGION}))
    assert {r.status for r in reminder_rows(uow_factory, cancelled)} == {"cancelled"}
    assert {r.status for r in reminder_rows(uow_factory, withdrawn)} == {"cancelled"}

    clock.advance(hours=24)  # past the time both reminders would have been due
    notify.send_reminders()
    assert reminder_messages(notify, volunteer_caller) == []
    assert reminder_messages(notify, other_caller) == []
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
    # the event has no window: the one the reminders were scheduled for
    assert dt.datetime.fromisoformat(cancelled_message["data"]["window_start"]) == start


def test_a_group_service_reminds_the_elder_once_naming_who_still_comes(notify, identity, clock,
                                                                       uow_factory):
    li, li_caller = someone(identity, "volunteer", name="李明")
    zhao, zhao_caller = someone(identity, "volunteer", name="赵磊")
    wang, wang_caller = someone(identity, "volunteer", name="王刚")
    elder, elder_caller = someone(identity, "elder", name="王秀英")
    demand_id = str(uuid.uuid4())
    start = clock.now() + dt.timedelta(hours=24, seconds=5)
    for volunteer in (li, zhao, wang):
        notify.on_demand_assigned(assigned(volunteer, elder, start, demand_id=demand_id))
        clock.advance(seconds=1)  # assigned one after the other
    assert len(reminder_rows(uow_factory, demand_id)) == 8  # 2 leads × (3 volunteers + elder)
    notify.on_assignment_withdrawn(event("assignment_withdrawn", {
        "demand_id": demand_id, "volunteer_id": zhao, "reason": "临时有事", "open_slots": 1,
        "region_code": REGION}))
    notify.send_reminders()
    assert reminder_messages(notify, elder_caller) == []  # not yet due

    clock.advance(seconds=2)
    notify.send_reminders()
    [to_elder] = reminder_messages(notify, elder_caller)
    assert to_elder["body"].endswith("）李明、王刚将上门为您服务。")
    assert reminder_messages(notify, li_caller) and reminder_messages(notify, wang_caller)
    assert reminder_messages(notify, zhao_caller) == []
    notify.send_reminders()
    assert len(reminder_messages(notify, elder_caller)) == 1


def test_the_one_hour_reminder_is_urgent_and_a_no_show_cancels_what_is_left(
        notify, identity, clock, uow_factory):
    volunteer, volunteer_caller = someone(identity, "volunteer", name="李明")
    elder, elder_caller = someone(identity, "elder", name="王秀英")
    notify.set_preferences(volunteer_caller, {"channels": ["sms"], "quiet_hours": {
        "start": "00:00", "end": "23:59"}})  # quiet all day: only urgent messages go
    demand_id = str(uuid.uuid4())
    start = clock.now() + dt.timedelta(hours=20)  # the 24-hour reminder is already past
    notify.on_demand_assigned(assigned(volunteer, elder, start, demand_id=demand_id))
    assert {r.lead for r in reminder_rows(uow_factory, demand_id)} == {"1h"}
    clock.advance(hours=19)
    notify.send_reminders()
    [reminder] = reminder_messages(notify, volunteer_caller)
    assert reminder["body"].startswith("1小时后（")
    assert [d["status"] for d in reminder["deliveries"]] == ["pending"]
    notify.send_due()
    [sent] = [d for m in reminder_messages(notify, volunteer_caller) for d in m["deliveries"]]
    assert sent["status"] == "sent"  # urgent: through the quiet hours

    other = str(uuid.uuid4())
    notify.on_demand_assigned(assigned(volunteer, elder, clock.now() + dt.timedelta(hours=5),
                                       demand_id=other))
    notify.on_assignment_no_show(event("assignment_no_show", {
        "demand_id": other, "volunteer_id": volunteer, "elder_id": elder,
        "window_start": (clock.now() + dt.timedelta(hours=5)).isoformat(),
        "region_code": REGION}))
    assert {r.status for r in reminder_rows(uow_factory, other)} == {"cancelled"}
    no_show = [m for m in notify.inbox(elder_caller, {})["items"]
               if m["kind"] == "assignment_no_show"]
    assert no_show and "志愿者未能到达" == no_show[0]["title"]
