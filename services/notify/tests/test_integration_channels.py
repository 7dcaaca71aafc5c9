"""Channels end to end, with two notify processes consuming the same queues side by side:
SMS against a local Tencent-style server that checks signatures, e-mail against a local SMTP
server, call tasks for phone-only elders, preferences and quiet hours, retries and dead
letters. Each fake counts what it received: every message arrives exactly once.
"""
import datetime as dt
import uuid
from functools import partial

import eventlet
import pytest
from timebank_testing import wait_for as shared_wait_for

from notify.service import NotifyService
from timebank_common.db import make_event
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound

from .conftest import PEOPLE, QUALIFICATIONS, STAFF, FakeIdentity

pytestmark = pytest.mark.integration
TOWNSHIP = "130102001"
REGION = TOWNSHIP + "001"
wait_for = partial(shared_wait_for, timeout=15.0)


@pytest.fixture(scope="module")
def running(notify_config, service_config, start_module_service):
    start_module_service(FakeIdentity, service_config(None))
    first = start_module_service(NotifyService, notify_config)
    second = start_module_service(NotifyService, {**notify_config,
                                                  "WEB_SERVER_ADDRESS": "127.0.0.1:0"})
    return first, second


@pytest.fixture
def notify(running, rpc):
    with rpc("notify") as proxy:
        yield proxy


@pytest.fixture
def publish(event_bus):
    return event_bus.publish


def someone(role="volunteer", **contact):
    pid = str(uuid.uuid4())
    phone = contact.pop("phone", f"139{uuid.uuid4().int % 10**8:08d}")
    PEOPLE[pid] = {"name": contact.pop("name", "李明"), "phone": phone, "region_code": REGION,
                   "is_elder": role == "elder", **contact}
    caller = {"person_id": pid, "roles": [role], "scope": REGION}
    return pid, caller


def no_quiet_hours(notify, caller, **extra):
    return notify.set_preferences(caller, {"channels": extra.pop("channels", ["sms"]),
                                           "quiet_hours": None, **extra})


def assigned(volunteer_id, elder_id, start):
    return make_event("demand_assigned", {
        "demand_id": str(uuid.uuid4()), "volunteer_id": volunteer_id, "elder_id": elder_id,
        "window_start": start.isoformat(), "window_end": (start + dt.timedelta(hours=1))
        .isoformat(), "open_slots": 0}, REGION)


def credited(person_id, minutes=90):
    return make_event("hours_credited", {
        "transfer_id": str(uuid.uuid4()), "person_id": person_id, "minutes": minutes,
        "balance_minutes": minutes, "kind": "service_credit"}, REGION)


def deliveries(notify, caller, kind):
    box = notify.inbox(caller, {})
    return [d for m in box["items"] if m["kind"] == kind for d in m["deliveries"]]


def settle():
    eventlet.sleep(1.0)  # room for a wrong second send by either process to show up


def test_an_sms_is_signed_and_sent_exactly_once_by_two_processes(notify, publish, fake_sms):
    pid, caller = someone()
    no_quiet_hours(notify, caller)
    event = credited(pid)
    publish("ledger", event)
    publish("ledger", event)  # redelivered
    wait_for(lambda: fake_sms.to(PEOPLE[pid]["phone"]))
    settle()
    [sms] = fake_sms.to(PEOPLE[pid]["phone"])
    assert sms["TemplateParamSet"][0] == "服务时长已入账"
    assert "1小时30分" in sms["TemplateParamSet"][1]
    assert fake_sms.bad_signatures == 0
    assert notify.inbox(caller, {})["total"] == 1
    [delivery] = deliveries(notify, caller, "hours_credited")
    assert delivery["channel"] == "sms" and delivery["status"] == "sent"


def test_many_messages_at_once_each_reach_the_provider_once(notify, publish, fake_sms):
    people = [someone() for _ in range(8)]
    for _, caller in people:
        no_quiet_hours(notify, caller)
    for pid, _ in people:
        for minutes in (30, 60):
            publish("ledger", credited(pid, minutes))
    wait_for(lambda: all(len(fake_sms.to(PEOPLE[p]["phone"])) == 2 for p, _ in people))
    settle()
    assert all(len(fake_sms.to(PEOPLE[p]["phone"])) == 2 for p, _ in people)


def test_email_goes_over_smtp_once(notify, publish, fake_smtp):
    pid, caller = someone()
    no_quiet_hours(notify, caller, channels=["email"], email=f"{pid[:8]}@example.cn")
    publish("ledger", make_event("milestone_reached", {
        "person_id": pid, "level": 1, "cumulative_minutes": 3000,
        "transfer_id": str(uuid.uuid4())}, REGION))
    address = f"{pid[:8]}@example.cn"
    wait_for(lambda: fake_smtp.to(address))
    settle()
    [mail] = fake_smtp.to(address)
    assert mail["Subject"].startswith("恭喜成为1星志愿者")
    assert "50小时" in mail.get_content()
    [delivery] = deliveries(notify, caller, "milestone_reached")
    assert delivery == {**delivery, "channel": "email", "status": "sent"}


def test_a_phone_only_elder_is_called_by_the_station_and_the_outcome_recorded(
        notify, publish, fake_sms):
    carrier = str(uuid.uuid4())
    volunteer, _ = someone(name="李明")
    elder, elder_caller = someone("elder", name="王秀英", phone="03111234567",
                                  phone_only=True, carrier_id=carrier)
    no_quiet_hours(notify, elder_caller, channels=["sms", "call"])
    operator = {"person_id": str(uuid.uuid4()), "roles": ["station_operator"],
                "scope": TOWNSHIP + "000", "carrier_id": carrier}
    other_station = {**operator, "carrier_id": str(uuid.uuid4())}
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    publish("demand", assigned(volunteer, elder, start))

    [task] = wait_for(lambda: notify.call_tasks(operator, {})["items"])
    assert task["elder_name"] == "王秀英" and task["status"] == "open"
    assert task["script"].startswith("请致电王秀英（03111234567）：王秀英您好：李明将于")
    assert "上门为您服务" in task["script"]
    settle()
    assert len(notify.call_tasks(operator, {})["items"]) == 1
    assert fake_sms.to("03111234567") == []  # a landline: called, not texted
    assert notify.call_tasks(other_station, {})["items"] == []

    after = notify.record_call(operator, task["id"], {"outcome": "no_answer"})
    assert after["status"] == "open" and after["attempts"][0]["outcome"] == "no_answer"
    done = notify.record_call(operator, task["id"], {"outcome": "reached", "note": "已告知"})
    assert done["status"] == "done" and done["closed_at"] and len(done["attempts"]) == 2
    assert notify.call_tasks(operator, {"status": "done"})["items"][0]["id"] == task["id"]
    with pytest.raises(Conflict):
        notify.record_call(operator, task["id"], {"outcome": "reached"})
    with pytest.raises(NotFound):
        notify.record_call(other_station, task["id"], {"outcome": "reached"})
    with pytest.raises(BadInput):
        notify.record_call(operator, task["id"], {"outcome": "hung_up"})
    with pytest.raises(Forbidden):
        notify.call_tasks(elder_caller, {})


def test_quiet_hours_defer_a_message_and_an_urgent_cancellation_overrides_them(
        notify, publish, fake_sms):
    now_bj = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
    quiet = {"start": (now_bj - dt.timedelta(hours=1)).strftime("%H:%M"),
             "end": (now_bj + dt.timedelta(hours=2)).strftime("%H:%M")}
    pid, caller = someone()
    notify.set_preferences(caller, {"channels": ["sms"], "quiet_hours": quiet})
    publish("ledger", credited(pid))
    wait_for(lambda: deliveries(notify, caller, "hours_credited"))
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=90)
    publish("demand", make_event("demand_cancelled", {
        "demand_id": str(uuid.uuid4()), "elder_id": None, "reason": "老人住院",
        "volunteer_ids": [pid], "window_start": soon.isoformat(),
        "window_end": (soon + dt.timedelta(hours=1)).isoformat()}, REGION))
    wait_for(lambda: fake_sms.to(PEOPLE[pid]["phone"]))
    settle()
    [sms] = fake_sms.to(PEOPLE[pid]["phone"])
    assert sms["TemplateParamSet"][0] == "服务已取消" and "老人住院" in sms["TemplateParamSet"][1]
    [waiting] = deliveries(notify, caller, "hours_credited")
    assert waiting["status"] == "pending"


def test_a_failing_provider_is_retried_with_backoff_then_dead_lettered(
        notify, publish, fake_sms, event_bus):
    failed = event_bus.listen("notify", "notification_failed")
    flaky, flaky_caller = someone()
    broken, broken_caller = someone()
    for caller in (flaky_caller, broken_caller):
        no_quiet_hours(notify, caller)
    fake_sms.fail_phones[PEOPLE[flaky]["phone"]] = 2
    fake_sms.fail_phones[PEOPLE[broken]["phone"]] = -1
    publish("ledger", credited(flaky))
    publish("ledger", credited(broken))
    wait_for(lambda: fake_sms.to(PEOPLE[flaky]["phone"]))
    [ok] = wait_for(lambda: [d for d in deliveries(notify, flaky_caller, "hours_credited")
                             if d["status"] == "sent"])
    assert ok["attempts"] == 3
    [dead] = wait_for(lambda: [d for d in deliveries(notify, broken_caller, "hours_credited")
                               if d["status"] == "dead"])
    assert dead["attempts"] == 3
    assert fake_sms.to(PEOPLE[broken]["phone"]) == []
    [event] = [e for e in failed.drain(1) if e["payload"]["person_id"] == broken]
    assert event["payload"]["channel"] == "sms"
    settle()
    assert len(fake_sms.to(PEOPLE[flaky]["phone"])) == 1

    # an operator sees the dead delivery and, the provider fixed, sends it again: once
    [listed] = [d for d in notify.dead_deliveries()["items"] if d["person_id"] == broken]
    assert listed["channel"] == "sms" and listed["kind"] == "hours_credited"
    fake_sms.fail_phones[PEOPLE[broken]["phone"]] = 0
    assert notify.replay_delivery(listed["id"])["status"] == "pending"
    with pytest.raises(NotFound):
        notify.replay_delivery(listed["id"])  # no longer dead
    wait_for(lambda: fake_sms.to(PEOPLE[broken]["phone"]))
    settle()
    assert len(fake_sms.to(PEOPLE[broken]["phone"])) == 1


def test_volunteers_who_opted_in_hear_of_demands_in_their_township(notify, publish):
    near, near_caller = someone()
    far, far_caller = someone(region_code="130102002001")
    silent, silent_caller = someone()
    no_quiet_hours(notify, near_caller, nearby_demands=True)
    no_quiet_hours(notify, far_caller, nearby_demands=True)
    no_quiet_hours(notify, silent_caller)
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    publish("demand", make_event("demand_published", {
        "demand_id": str(uuid.uuid4()), "elder_id": str(uuid.uuid4()),
        "category": "companionship", "region_code": REGION,
        "window_start": start.isoformat(), "window_end": (start + dt.timedelta(hours=2))
        .isoformat(), "expected_minutes": 120, "volunteers_needed": 1,
        "location": {"address": "幸福小区3号楼"}}, REGION))
    [message] = wait_for(lambda: notify.inbox(near_caller, {})["items"])
    assert message["kind"] == "demand_published" and "幸福小区3号楼" in message["body"]
    plain = str(uuid.uuid4())
    publish("demand", make_event("demand_published", {  # as demand emits it: coordinates
        "demand_id": plain, "elder_id": str(uuid.uuid4()),
        "category": "companionship", "region_code": REGION,
        "window_start": start.isoformat(), "window_end": (start + dt.timedelta(hours=2))
        .isoformat(), "expected_minutes": 120, "volunteers_needed": 1,
        "location": {"lat": 38.05, "lng": 114.52}}, REGION))
    [second] = wait_for(lambda: [m for m in notify.inbox(near_caller, {})["items"]
                                 if m["data"]["demand_id"] == plain])
    assert "地点：育才社区居委会。" in second["body"]  # the community, not the elder's address
    settle()
    assert notify.inbox(far_caller, {})["total"] == 0
    assert notify.inbox(silent_caller, {})["total"] == 0


def test_station_and_township_staff_hear_of_overdue_reviews_and_disputes(notify, publish):
    carrier = str(uuid.uuid4())
    operator, operator_caller = someone("station_operator")
    township, township_caller = someone("township_admin")
    STAFF.extend([{"person_id": operator, "role": "station_operator", "carrier_id": carrier},
                  {"person_id": township, "role": "township_admin", "township": TOWNSHIP}])
    elder, elder_caller = someone("elder")
    volunteer, volunteer_caller = someone()
    demand_id, dispute_id, record_id = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    publish("demand", make_event("service_recorded", {
        "record_id": record_id, "demand_id": demand_id, "volunteer_id": volunteer,
        "elder_id": elder, "minutes": 60}, REGION))
    wait_for(lambda: notify.inbox(elder_caller, {})["total"] == 1)
    publish("demand", make_event("demand_review_overdue", {
        "demand_id": demand_id, "region_code": REGION, "township_code": TOWNSHIP + "000",
        "carrier_id": carrier, "submitted_at": "2030-05-01T00:00:00+00:00",
        "escalated_at": "2030-05-01T02:00:00+00:00"}, REGION))
    publish("demand", make_event("dispute_opened", {  # the shape demand emits on main
        "dispute_id": dispute_id, "subject": "record", "record_id": record_id,
        "demand_id": demand_id, "region_code": REGION, "opener_role": "elder",
        "reason": "时长不对"}, REGION))
    wait_for(lambda: notify.inbox(operator_caller, {})["total"] == 1)
    wait_for(lambda: notify.inbox(township_caller, {})["total"] == 2)
    kinds = sorted(m["kind"] for m in notify.inbox(township_caller, {})["items"])
    assert kinds == ["demand_review_overdue", "dispute_opened"]
    publish("demand", make_event("dispute_resolved", {
        "dispute_id": dispute_id, "subject": "record", "record_id": record_id,
        "demand_id": demand_id, "outcome": "minutes_adjusted", "minutes": 45,
        "approver": township, "reason": "核实", "region_code": REGION, "credited": True},
        REGION))
    for caller in (elder_caller, volunteer_caller):  # both parties of the record hear it
        [resolved] = wait_for(lambda c=caller: [m for m in notify.inbox(c, {})["items"]
                                                if m["kind"] == "dispute_resolved"])
        assert "服务时长调整为 45分" in resolved["body"]


def test_a_gift_tells_the_relative_and_a_donation_thanks_the_donor(notify, publish):
    giver, giver_caller = someone(name="张伟")
    relative, relative_caller = someone("relative")
    publish("ledger", make_event("hours_given", {
        "transfer_id": f"gift:{giver}:k1", "kind": "gift_to_relative",
        "from_person_id": giver, "to_person_id": relative, "minutes": 120}, REGION))
    publish("ledger", make_event("hours_given", {
        "transfer_id": f"donation:{giver}:k2", "kind": "donation", "from_person_id": giver,
        "to_person_id": None, "pool_region_code": "130100000000", "minutes": 60}, REGION))
    [gift] = wait_for(lambda: notify.inbox(relative_caller, {})["items"])
    assert gift["body"] == "张伟赠送给您 2小时 服务时长，已存入您的时间账户。"
    [thanks] = wait_for(lambda: notify.inbox(giver_caller, {})["items"])
    assert thanks["title"] == "感谢您的捐赠"


def test_expiring_qualifications_are_told_once(notify):
    pid, caller = someone()
    QUALIFICATIONS.append({"qualification_id": str(uuid.uuid4()), "person_id": pid,
                           "kind": "nurse", "kind_name": {"zh": "护士", "en": "Nurse"},
                           "valid_until": "2030-06-01", "region_code": REGION})
    first = notify.check_qualifications()
    again = notify.check_qualifications()
    assert first["notified"] >= 1 and again["notified"] == 0
    [message] = notify.inbox(caller, {})["items"]
    assert "护士资质将于2030年6月1日到期" in message["body"]


def test_eligibility_changes_reach_the_volunteer(notify, publish):
    pid, caller = someone()
    publish("identity", make_event("volunteer_suspended", {
        "person_id": pid, "region_code": REGION, "reasons": ["training_short"],
        "reason_texts": [{"code": "training_short", "zh": "培训学时不足：已完成8小时，须达到20小时",
                          "en": "Not enough training: 8 of 20 hours completed"}]}, REGION))
    [message] = wait_for(lambda: notify.inbox(caller, {})["items"])
    assert message["title"] == "志愿者资格暂停"
    assert "（培训学时不足：已完成8小时，须达到20小时）" in message["body"]
    assert "(Not enough training: 8 of 20 hours completed)" in message["body_en"]


def test_follow_ups_reach_the_station_and_an_unconfirmed_record_asks_the_elder(
        notify, publish):
    carrier = str(uuid.uuid4())
    operator, operator_caller = someone("station_operator")
    township, township_caller = someone("township_admin")
    STAFF.extend([{"person_id": operator, "role": "station_operator", "carrier_id": carrier},
                  {"person_id": township, "role": "township_admin", "township": TOWNSHIP}])
    volunteer, _ = someone(name="李明")
    elder, elder_caller = someone("elder", name="王秀英", phone="03115550001",
                                  phone_only=True, carrier_id=carrier)
    no_quiet_hours(notify, elder_caller, channels=["sms", "call"])
    station = {"person_id": operator, "roles": ["station_operator"],
               "scope": TOWNSHIP + "000", "carrier_id": carrier}
    demand_id, record_id = str(uuid.uuid4()), str(uuid.uuid4())
    publish("demand", make_event("follow_up_opened", {
        "follow_up_id": str(uuid.uuid4()), "kind": "low_score", "evaluation_id": "ev-1",
        "record_id": record_id, "demand_id": demand_id, "volunteer_id": volunteer,
        "elder_id": elder, "region_code": REGION, "carrier_id": carrier, "score": 1}, REGION))
    [told] = wait_for(lambda: notify.inbox(operator_caller, {})["items"])
    assert told["kind"] == "follow_up_opened" and told["title"] == "新的回访任务"
    assert told["body"] == f"一次服务的评价为1分，请回访老人了解情况（需求编号 {demand_id[:8]}）。" \
                           "请在“回访任务”中处理。"
    assert "rated 1 out of 5" in told["body_en"]
    # no station named: the township's admins hear of it instead
    publish("demand", make_event("follow_up_opened", {
        "follow_up_id": str(uuid.uuid4()), "kind": "confirmation_overdue",
        "record_id": record_id, "demand_id": demand_id, "volunteer_id": volunteer,
        "elder_id": elder, "region_code": REGION, "carrier_id": None, "score": None}, REGION))
    [overdue_task] = wait_for(lambda: notify.inbox(township_caller, {})["items"])
    assert "迟迟未经老人确认" in overdue_task["body"]
    assert len(notify.inbox(operator_caller, {})["items"]) == 1

    publish("demand", make_event("record_confirmation_overdue", {
        "record_id": record_id, "demand_id": demand_id, "elder_id": elder,
        "volunteer_id": volunteer, "minutes": 90, "region_code": REGION, "carrier_id": carrier,
        "recorded_at": "2030-05-01T02:00:00+00:00"}, REGION))
    [task] = wait_for(lambda: notify.call_tasks(station, {})["items"])
    assert task["kind"] == "record_confirmation_overdue"
    assert task["script"] == (
        "请致电王秀英（03115550001）：王秀英您好：李明为您提供的服务（1小时30分，2030年5月1日记录）"
        "尚待您确认，确认后志愿者的服务时长才能入账。请在“我的服务”中确认，或告诉服务站工作人员。")
    settle()
    assert len(notify.call_tasks(station, {})["items"]) == 1
    assert [m["kind"] for m in notify.inbox(elder_caller, {})["items"]] == [
        "record_confirmation_overdue"]


def _quiet_hours_over(notify_config, person_id):
    """As if the person's quiet hours ended now: their deferred deliveries fall due."""
    from sqlalchemy import create_engine, text

    engine = create_engine(notify_config["DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE deliveries SET not_before = now() "
                          "WHERE person_id = :p AND status = 'pending'"), {"p": person_id})
    engine.dispose()


def test_an_elder_on_default_preferences_is_called_whatever_a_message_calls_them(
        notify, publish, notify_config, fake_sms):
    """A phone-only elder who never set preferences is called (elders' default) also as the
    relative who received a gift and as a party to a dispute the event names."""
    carrier = str(uuid.uuid4())
    giver, _ = someone(name="张伟")
    elder, elder_caller = someone("elder", name="赵秀兰", phone="03115550002",
                                  phone_only=True, carrier_id=carrier)
    volunteer, volunteer_caller = someone()
    station = {"person_id": str(uuid.uuid4()), "roles": ["station_operator"],
               "scope": TOWNSHIP + "000", "carrier_id": carrier}
    publish("ledger", make_event("hours_given", {
        "transfer_id": f"gift:{giver}:k9", "kind": "gift_to_relative",
        "from_person_id": giver, "to_person_id": elder, "minutes": 60}, REGION))
    publish("demand", make_event("dispute_resolved", {  # no service_recorded seen before
        "dispute_id": str(uuid.uuid4()), "subject": "record", "record_id": str(uuid.uuid4()),
        "demand_id": str(uuid.uuid4()), "volunteer_id": volunteer, "elder_id": elder,
        "opened_by": elder, "outcome": "upheld", "minutes": None, "approver": "t-1",
        "reason": "核实无误", "region_code": REGION, "credited": False}, REGION))
    wait_for(lambda: notify.inbox(elder_caller, {})["total"] == 2)
    [heard] = wait_for(lambda: notify.inbox(volunteer_caller, {})["items"])
    assert "维持原记录" in heard["body"]
    _quiet_hours_over(notify_config, elder)  # the defaults keep 22:00-07:00 quiet
    tasks = wait_for(lambda: (t := notify.call_tasks(station, {})["items"]) and len(t) == 2
                     and t)
    assert sorted(t["kind"] for t in tasks) == ["dispute_resolved", "hours_given"]
    assert any("张伟赠送给您 1小时" in t["script"] for t in tasks)
    settle()
    assert len(notify.call_tasks(station, {})["items"]) == 2
    assert fake_sms.to("03115550002") == []
    for message in notify.inbox(elder_caller, {})["items"]:
        assert {d["channel"]: d["status"] for d in message["deliveries"]} == {
            "sms": "skipped", "call": "sent"}


def test_preferences_defaults_validation_and_who_may_set_them(notify):
    elder, elder_caller = someone("elder", carrier_id=str(uuid.uuid4()))
    shown = notify.preferences(elder_caller)
    assert shown["is_default"] and shown["inbox"] is True
    assert shown["channels"] == ["sms", "call"]
    assert shown["quiet_hours"] == {"start": "22:00", "end": "07:00",
                                    "time_zone": "Asia/Shanghai"}
    with pytest.raises(BadInput):
        notify.set_preferences(elder_caller, {"channels": ["fax"]})
    with pytest.raises(BadInput):
        notify.set_preferences(elder_caller, {"channels": ["sms"],
                                              "quiet_hours": {"start": "25:00", "end": "7:00"}})
    with pytest.raises(BadInput):
        notify.set_preferences(elder_caller, {"channels": ["email"]})
    assert notify.preferences(elder_caller)["is_default"]

    station = {"person_id": str(uuid.uuid4()), "roles": ["station_operator"],
               "scope": TOWNSHIP + "000", "carrier_id": PEOPLE[elder]["carrier_id"]}
    saved = notify.set_preferences(station, {"channels": ["call"],
                                             "quiet_hours": {"start": "21:00", "end": "08:00"}},
                                   elder)
    assert saved["channels"] == ["call"] and saved["updated_by"] == station["person_id"]
    assert notify.preferences(elder_caller)["quiet_hours"]["start"] == "21:00"
    _, volunteer_caller = someone()
    with pytest.raises(Forbidden):
        notify.set_preferences(volunteer_caller, {"channels": ["sms"]}, elder)
    other_station = {**station, "carrier_id": str(uuid.uuid4())}
    with pytest.raises(Forbidden):
        notify.preferences(other_station, elder)


def test_a_province_admin_edits_a_template_and_the_next_message_uses_it(notify, publish):
    admin = {"person_id": str(uuid.uuid4()), "roles": ["province_admin"], "scope": "130000000000"}
    listed = {(t["event_type"], t["role"], t["locale"]) for t in notify.templates(admin)["items"]}
    assert ("certificate_issued", "volunteer", "zh-CN") in listed
    with pytest.raises(BadInput) as info:
        notify.set_template(admin, "certificate_issued", "volunteer", "zh-CN",
                            {"title": "证明", "body": "{volunteer_name}的证明"})
    assert info.value.code == "template_placeholder_unknown"
    with pytest.raises(NotFound):
        notify.set_template(admin, "certificate_issued", "volunteer", "fr",
                            {"title": "x", "body": "y"})
    _, volunteer_caller = someone()
    with pytest.raises(Forbidden):
        notify.set_template(volunteer_caller, "certificate_issued", "volunteer", "zh-CN",
                            {"title": "x", "body": "y"})
    saved = notify.set_template(admin, "certificate_issued", "volunteer", "zh-CN",
                                {"title": "您的服务证明好了", "body": "证明编号 {number}，共 {total}。"})
    assert saved["updated_by"] == admin["person_id"]
    pid, caller = someone()
    publish("ledger", make_event("certificate_issued", {
        "number": "HB-1301-20301129-ABCDEFG", "person_id": pid, "period_from": "2030-01-01",
        "period_to": "2030-06-30", "total_minutes": 600, "issued_by": "s-1"}, REGION))
    [message] = wait_for(lambda: notify.inbox(caller, {})["items"])
    assert message["title"] == "您的服务证明好了"
    assert message["body"] == "证明编号 HB-1301-20301129-ABCDEFG，共 10小时。"


def test_metrics_count_deliveries_by_channel_and_outcome(notify, publish, fake_sms,
                                                         notify_config):
    import requests

    pid, caller = someone()
    no_quiet_hours(notify, caller)
    publish("ledger", credited(pid))
    wait_for(lambda: fake_sms.to(PEOPLE[pid]["phone"]))
    text = requests.get(f"http://{notify_config['WEB_SERVER_ADDRESS']}/metrics", timeout=5).text
    assert 'timebank_notify_deliveries_total{channel="sms",outcome="sent"}' in text
    assert 'timebank_notify_messages_total{kind="hours_credited"}' in text


def test_an_urgent_cancellation_is_first_on_the_stations_call_list(notify, publish):
    carrier = str(uuid.uuid4())
    volunteer, _ = someone(name="李明")
    elder, elder_caller = someone("elder", name="刘桂兰", phone="03117654321",
                                  phone_only=True, carrier_id=carrier)
    now_bj = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
    notify.set_preferences(elder_caller, {"channels": ["call"], "quiet_hours": {
        "start": (now_bj - dt.timedelta(hours=1)).strftime("%H:%M"),
        "end": (now_bj + dt.timedelta(hours=2)).strftime("%H:%M")}})  # only urgent calls now
    operator = {"person_id": str(uuid.uuid4()), "roles": ["station_operator"],
                "scope": TOWNSHIP + "000", "carrier_id": carrier}
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    publish("demand", assigned(volunteer, elder, later))
    wait_for(lambda: any(m["kind"] == "demand_assigned"
                         for m in notify.inbox(elder_caller, {})["items"]))
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=45)
    publish("demand", make_event("demand_cancelled", {
        "demand_id": str(uuid.uuid4()), "elder_id": elder, "reason": "志愿者突发急事",
        "volunteer_ids": [volunteer], "window_start": soon.isoformat(),
        "window_end": (soon + dt.timedelta(hours=1)).isoformat()}, REGION))
    [task] = wait_for(lambda: notify.call_tasks(operator, {})["items"])
    assert task["urgent"] is True and task["kind"] == "demand_cancelled"
    assert task["script"].startswith("请致电刘桂兰（03117654321）：刘桂兰您好：您")
    assert "志愿者突发急事" in task["script"]
    settle()
    assert len(notify.call_tasks(operator, {})["items"]) == 1  # the other waits for the morning


def _expired(demand_id, elder_id, start, gone=None):
    """``demand_cancelled`` as demand's expiry sweep makes it, with demand's event contract:
    reason ``expired`` and nobody on the demand (``gone``, a volunteer who took it and
    withdrew, is no longer listed)."""
    from demand.contracts import DEMAND_CANCELLED, EXPIRED_REASON

    end = start + dt.timedelta(hours=1)
    return make_event("demand_cancelled", DEMAND_CANCELLED.dump({
        "demand_id": demand_id, "elder_id": elder_id, "region_code": REGION,
        "reason": EXPIRED_REASON, "volunteer_ids": [], "window_start": start,
        "window_end": end}), REGION)


def test_an_expired_demand_reaches_the_elder_by_the_stations_call_not_the_volunteer_who_left(
        notify, publish):
    """Nobody served the demand in its window: the phone-only elder is called by their
    station ("未能安排到志愿者上门…请联系服务站"), not as an urgent call — the window is over,
    nobody is on the way —, and the volunteer who had withdrawn (and was told then) hears
    nothing more. An elder in quiet hours gets it in the inbox, the call waits."""
    carrier = str(uuid.uuid4())
    operator = {"person_id": str(uuid.uuid4()), "roles": ["station_operator"],
                "scope": TOWNSHIP + "000", "carrier_id": carrier}
    gone, gone_caller = someone(name="赵磊")
    no_quiet_hours(notify, gone_caller)
    elder, elder_caller = someone("elder", name="王秀英", phone="03111234567",
                                  phone_only=True, carrier_id=carrier)
    notify.set_preferences(elder_caller, {"channels": ["call"], "quiet_hours": None})
    demand_id = str(uuid.uuid4())
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=2)
    taken = assigned(gone, elder, start)
    taken["payload"]["demand_id"] = demand_id
    publish("demand", taken)
    wait_for(lambda: [m for m in notify.inbox(gone_caller, {})["items"]
                      if m["kind"] == "demand_assigned"])
    publish("demand", make_event("assignment_withdrawn", {
        "demand_id": demand_id, "volunteer_id": gone, "reason": "家中临时有事", "open_slots": 1,
        "region_code": REGION}, REGION))
    wait_for(lambda: [m for m in notify.inbox(gone_caller, {})["items"]
                      if m["kind"] == "assignment_withdrawn"])
    publish("demand", _expired(demand_id, elder, start, gone=gone))
    [task] = wait_for(lambda: [t for t in notify.call_tasks(operator, {})["items"]
                               if t["kind"] == "demand_cancelled"])
    assert task["elder_id"] == elder and task["urgent"] is False
    assert task["script"].startswith("请致电王秀英（03111234567）：王秀英您好：您")
    assert "未能安排到志愿者上门。如仍需要帮助，请联系服务站重新登记" in task["script"]
    assert "expired" not in task["script"]
    [told] = [m for m in notify.inbox(elder_caller, {})["items"]
              if m["kind"] == "demand_cancelled"]
    assert "未能安排到志愿者上门" in told["body"]
    settle()
    assert [m for m in notify.inbox(gone_caller, {})["items"]
            if m["kind"] == "demand_cancelled"] == []

    # just over (the sweep runs at the window's end), the elder in quiet hours: not urgent
    sleeping, sleeping_caller = someone("elder", name="刘桂兰", phone="03117650000",
                                        phone_only=True, carrier_id=carrier)
    now_bj = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
    notify.set_preferences(sleeping_caller, {"channels": ["call"], "quiet_hours": {
        "start": (now_bj - dt.timedelta(hours=1)).strftime("%H:%M"),
        "end": (now_bj + dt.timedelta(hours=2)).strftime("%H:%M")}})
    over = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1, minutes=1)
    publish("demand", _expired(str(uuid.uuid4()), sleeping, over))
    [message] = wait_for(lambda: [m for m in notify.inbox(sleeping_caller, {})["items"]
                                  if m["kind"] == "demand_cancelled"])
    assert "未能安排到志愿者上门" in message["body"]
    assert [d["status"] for d in message["deliveries"]] == ["pending"]  # after quiet hours
    settle()
    assert [t for t in notify.call_tasks(operator, {})["items"]
            if t["elder_id"] == sleeping] == []


def test_a_send_interrupted_by_a_dying_process_is_dead_lettered_not_repeated(
        notify, publish, fake_sms, notify_config):
    from sqlalchemy import create_engine, text

    now_bj = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
    pid, caller = someone()
    notify.set_preferences(caller, {"channels": ["sms"], "quiet_hours": {
        "start": (now_bj - dt.timedelta(hours=1)).strftime("%H:%M"),
        "end": (now_bj + dt.timedelta(hours=2)).strftime("%H:%M")}})
    publish("ledger", credited(pid))
    wait_for(lambda: deliveries(notify, caller, "hours_credited"))
    engine = create_engine(notify_config["DATABASE_URL"])
    with engine.begin() as conn:  # as a process that died while asking the provider leaves it
        conn.execute(text("UPDATE deliveries SET status = 'sending', attempts = 1, "
                          "updated_at = now() - interval '1 hour' WHERE person_id = :p"),
                     {"p": pid})
    engine.dispose()
    [dead] = wait_for(lambda: [d for d in deliveries(notify, caller, "hours_credited")
                               if d["status"] == "dead"])
    assert dead["attempts"] == 1
    [listed] = [d for d in notify.dead_deliveries()["items"] if d["person_id"] == pid]
    assert listed["last_error"].startswith("interrupted while sending")
    settle()
    assert fake_sms.to(PEOPLE[pid]["phone"]) == []
