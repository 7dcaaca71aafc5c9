"""Channels through notify's entrypoints on real PostgreSQL (a rolled-back unit of work),
without a broker: SMS against a local Tencent-style server that checks signatures, e-mail
against a local SMTP server, call tasks for phone-only elders, preferences and quiet hours,
retries and dead letters. Each delivery tick is ``notify.send_due()`` and time moves only
with the ``clock`` (Monday 2026-06-15 10:00 China time): no test waits or depends on the hour.

Two processes side by side (exactly once) are ``test_two_processes.py``.
"""
import datetime as dt
import uuid

import pytest
from sqlalchemy import text
from timebank_testing import outbox_events

from notify.adapters.seed_templates import SEEDED
from timebank_common.clock import CHINA, china_date
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound

from .conftest import (
    REGION,
    assigned,
    credited,
    deliveries,
    event,
    someone,
)

TOWNSHIP = REGION[:9]


def no_quiet_hours(notify, caller, **extra):
    return notify.set_preferences(caller, {"channels": extra.pop("channels", ["sms"]),
                                           "quiet_hours": None, **extra})


def quiet_around_now(clock):
    """Quiet hours from an hour ago until two hours from now (China time)."""
    now = clock.now().astimezone(CHINA)
    return {"start": (now - dt.timedelta(hours=1)).strftime("%H:%M"),
            "end": (now + dt.timedelta(hours=2)).strftime("%H:%M")}


def at_china(clock, hour, minute=0, days=0):
    """The clock set to ``hour:minute`` China time, ``days`` after the test's day."""
    day = clock.now().astimezone(CHINA) + dt.timedelta(days=days)
    clock.set(day.replace(hour=hour, minute=minute, second=0, microsecond=0))
    return clock.now()


def test_an_sms_is_signed_and_sent_once(notify, identity, fake_sms):
    pid, caller = someone(identity)
    no_quiet_hours(notify, caller)
    notify.on_hours_credited(credited(pid))
    notify.send_due()
    notify.send_due()  # a second tick sends nothing again
    [sms] = fake_sms.to(identity.people[pid].phone)
    assert sms["TemplateParamSet"][0] == "服务时长已入账"
    assert "1小时30分" in sms["TemplateParamSet"][1]
    assert fake_sms.bad_signatures == 0
    [delivery] = deliveries(notify, caller, "hours_credited")
    assert delivery["channel"] == "sms" and delivery["status"] == "sent"
    assert delivery["attempts"] == 1 and delivery["sent_at"]


def test_deliveries_due_together_are_sent_with_one_question_to_identity(
        notify, identity, fake_sms):
    """A tick claims the due deliveries in a batch and asks identity for all their
    recipients' contacts at once (not once per delivery: under a province's load that was
    identity's busiest RPC)."""
    people = [someone(identity) for _ in range(3)]
    for pid, caller in people:
        no_quiet_hours(notify, caller)
        notify.on_hours_credited(credited(pid))
        notify.on_hours_credited(credited(pid, minutes=30))
    identity.calls.clear()
    notify.send_due()
    asked = [args for method, args in identity.calls if method == "contact_details"]
    assert len(asked) == 1 and sorted(asked[0][0]) == sorted(pid for pid, _ in people)
    for pid, _ in people:
        assert len(fake_sms.to(identity.people[pid].phone)) == 2


def test_names_for_greetings_are_asked_once_and_kept(notify, identity):
    """Every credit greets its volunteer by name: the name is asked of identity the first
    time, then kept by the process (``adapters.identity.KEPT_SECONDS``)."""
    pid, caller = someone(identity, name="张秀兰")
    identity.calls.clear()
    notify.on_hours_credited(credited(pid))
    notify.on_hours_credited(credited(pid, minutes=30))
    assert [m for m, _ in identity.calls].count("person_names") == 1
    assert len(notify.inbox(caller, {})["items"]) == 2


def test_email_goes_over_smtp_once(notify, identity, fake_smtp):
    pid, caller = someone(identity)
    address = f"{pid[:8]}@example.cn"
    no_quiet_hours(notify, caller, channels=["email"], email=address)
    notify.on_milestone_reached(event("milestone_reached", {
        "person_id": pid, "level": 1, "cumulative_minutes": 3000,
        "transfer_id": str(uuid.uuid4())}))
    notify.send_due()
    notify.send_due()
    [mail] = fake_smtp.to(address)
    assert mail["Subject"].startswith("恭喜成为1星志愿者")
    assert "50小时" in mail.get_content()
    [delivery] = deliveries(notify, caller, "milestone_reached")
    assert delivery == {**delivery, "channel": "email", "status": "sent"}


def test_a_phone_only_elder_is_called_by_the_station_and_the_outcome_recorded(
        notify, identity, fake_sms, clock):
    carrier = str(uuid.uuid4())
    volunteer, _ = someone(identity, name="李明")
    elder, elder_caller = someone(identity, "elder", name="王秀英", phone="03111234567",
                                  phone_only=True, carrier_id=carrier)
    no_quiet_hours(notify, elder_caller, channels=["sms", "call"])
    operator = {"person_id": str(uuid.uuid4()), "roles": ["station_operator"],
                "scope": TOWNSHIP + "000", "carrier_id": carrier}
    other_station = {**operator, "carrier_id": str(uuid.uuid4())}
    notify.on_demand_assigned(assigned(volunteer, elder, clock.now() + dt.timedelta(days=3)))
    notify.send_due()

    [task] = notify.call_tasks(operator, {})["items"]
    assert task["elder_name"] == "王秀英" and task["status"] == "open"
    assert task["script"].startswith("请致电王秀英（03111234567）：王秀英您好：李明将于")
    assert "上门为您服务" in task["script"]
    notify.send_due()
    assert len(notify.call_tasks(operator, {})["items"]) == 1
    assert fake_sms.to("03111234567") == []  # a landline: called, not texted
    assert notify.call_tasks(other_station, {})["items"] == []

    after = notify.record_call(operator, task["id"], {"outcome": "no_answer"})
    assert after["status"] == "open" and after["attempts"][0]["outcome"] == "no_answer"
    assert after["attempts"][0]["at"] == clock.now().isoformat()
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
        notify, identity, fake_sms, clock):
    pid, caller = someone(identity)
    notify.set_preferences(caller, {"channels": ["sms"], "quiet_hours": quiet_around_now(clock)})
    notify.on_hours_credited(credited(pid))
    soon = clock.now() + dt.timedelta(minutes=90)
    notify.on_demand_cancelled(event("demand_cancelled", {
        "demand_id": str(uuid.uuid4()), "elder_id": None, "reason": "老人住院",
        "volunteer_ids": [pid], "window_start": soon.isoformat(),
        "window_end": (soon + dt.timedelta(hours=1)).isoformat()}))
    notify.send_due()
    [sms] = fake_sms.to(identity.people[pid].phone)
    assert sms["TemplateParamSet"][0] == "服务已取消" and "老人住院" in sms["TemplateParamSet"][1]
    [waiting] = deliveries(notify, caller, "hours_credited")
    assert waiting["status"] == "pending"

    clock.advance(hours=2)  # the quiet hours are over: the deferred message goes
    notify.send_due()
    assert [s["TemplateParamSet"][0] for s in fake_sms.to(identity.people[pid].phone)] == [
        "服务已取消", "服务时长已入账"]


def test_a_failing_provider_is_retried_with_backoff_then_dead_lettered(
        notify, identity, fake_sms, clock, uow_factory):
    flaky, flaky_caller = someone(identity)
    broken, broken_caller = someone(identity)
    for caller in (flaky_caller, broken_caller):
        no_quiet_hours(notify, caller)
    fake_sms.fail_phones[identity.people[flaky].phone] = 2
    fake_sms.fail_phones[identity.people[broken].phone] = -1
    notify.on_hours_credited(credited(flaky))
    notify.on_hours_credited(credited(broken))

    notify.send_due()  # first attempts fail: the next after 30 s (max_attempts 3)
    [failed] = deliveries(notify, flaky_caller, "hours_credited")
    assert failed["status"] == "failed" and failed["attempts"] == 1
    notify.send_due()  # not yet
    assert deliveries(notify, flaky_caller, "hours_credited")[0]["attempts"] == 1
    clock.advance(seconds=30)
    notify.send_due()  # second attempts fail: the next after 60 s
    assert deliveries(notify, flaky_caller, "hours_credited")[0]["attempts"] == 2
    clock.advance(seconds=59)
    notify.send_due()
    assert deliveries(notify, flaky_caller, "hours_credited")[0]["attempts"] == 2
    clock.advance(seconds=1)
    notify.send_due()  # third: the flaky number gets it, the broken one is dead

    [ok] = deliveries(notify, flaky_caller, "hours_credited")
    assert ok["status"] == "sent" and ok["attempts"] == 3
    [dead] = deliveries(notify, broken_caller, "hours_credited")
    assert dead["status"] == "dead" and dead["attempts"] == 3
    assert fake_sms.to(identity.people[broken].phone) == []
    [failure] = [e for e in outbox_events(uow_factory("notify"), "notification_failed")
                 if e["payload"]["person_id"] == broken]
    assert failure["payload"]["channel"] == "sms" and failure["payload"]["attempts"] == 3
    assert failure["payload"]["kind"] == "hours_credited"
    notify.send_due()
    assert len(fake_sms.to(identity.people[flaky].phone)) == 1

    # an operator sees the dead delivery and, the provider fixed, sends it again: once
    [listed] = [d for d in notify.dead_deliveries()["items"] if d["person_id"] == broken]
    assert listed["channel"] == "sms" and listed["kind"] == "hours_credited"
    fake_sms.fail_phones[identity.people[broken].phone] = 0
    assert notify.replay_delivery(listed["id"])["status"] == "pending"
    with pytest.raises(NotFound):
        notify.replay_delivery(listed["id"])  # no longer dead
    with pytest.raises(BadInput):
        notify.replay_delivery("not-a-uuid")
    notify.send_due()
    notify.send_due()
    assert len(fake_sms.to(identity.people[broken].phone)) == 1


def test_volunteers_who_opted_in_hear_of_demands_in_their_township(notify, identity, clock):
    near, near_caller = someone(identity)
    far, far_caller = someone(identity, region_code="130102002001")
    silent, silent_caller = someone(identity)
    no_quiet_hours(notify, near_caller, nearby_demands=True)
    no_quiet_hours(notify, far_caller, nearby_demands=True)
    no_quiet_hours(notify, silent_caller)
    start = clock.now() + dt.timedelta(days=2)
    notify.on_demand_published(event("demand_published", {
        "demand_id": str(uuid.uuid4()), "elder_id": str(uuid.uuid4()),
        "category": "companionship", "region_code": REGION,
        "window_start": start.isoformat(), "window_end": (start + dt.timedelta(hours=2))
        .isoformat(), "expected_minutes": 120, "volunteers_needed": 1,
        "location": {"address": "幸福小区3号楼"}}))
    [message] = notify.inbox(near_caller, {})["items"]
    assert message["kind"] == "demand_published" and "幸福小区3号楼" in message["body"]
    assert message["body"].startswith("companionship，")  # demand away: the category's code
    plain = str(uuid.uuid4())
    notify.on_demand_published(event("demand_published", {  # as demand emits it: coordinates
        "demand_id": plain, "elder_id": str(uuid.uuid4()),
        "category": "companionship", "region_code": REGION,
        "window_start": start.isoformat(), "window_end": (start + dt.timedelta(hours=2))
        .isoformat(), "expected_minutes": 120, "volunteers_needed": 1,
        "location": {"lat": 38.05, "lng": 114.52}}))
    [second] = [m for m in notify.inbox(near_caller, {})["items"]
                if m["data"]["demand_id"] == plain]
    assert "地点：育才社区居委会。" in second["body"]  # the community, not the elder's address
    assert notify.inbox(far_caller, {})["total"] == 0
    assert notify.inbox(silent_caller, {})["total"] == 0


def test_station_and_township_staff_hear_of_overdue_reviews_and_disputes(notify, identity):
    carrier = str(uuid.uuid4())
    operator, operator_caller = someone(identity, "station_operator")
    township, township_caller = someone(identity, "township_admin")
    identity.add_station_operator(operator, carrier)
    identity.add_township_admin(township, TOWNSHIP + "000")
    elder, elder_caller = someone(identity, "elder")
    volunteer, volunteer_caller = someone(identity)
    demand_id, dispute_id, record_id = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    notify.on_service_recorded(event("service_recorded", {
        "record_id": record_id, "demand_id": demand_id, "volunteer_id": volunteer,
        "elder_id": elder, "minutes": 60, "recorded_at": "2030-05-01T02:00:00+00:00"}))
    assert notify.inbox(elder_caller, {})["total"] == 1
    notify.on_review_overdue(event("demand_review_overdue", {
        "demand_id": demand_id, "region_code": REGION, "township_code": TOWNSHIP + "000",
        "carrier_id": carrier, "submitted_at": "2030-05-01T00:00:00+00:00",
        "escalated_at": "2030-05-01T02:00:00+00:00"}))
    notify.on_dispute_opened(event("dispute_opened", {  # the shape demand emits on main
        "dispute_id": dispute_id, "subject": "record", "record_id": record_id,
        "demand_id": demand_id, "region_code": REGION, "opener_role": "elder",
        "reason": "时长不对"}))
    assert notify.inbox(operator_caller, {})["total"] == 1
    kinds = sorted(m["kind"] for m in notify.inbox(township_caller, {})["items"])
    assert kinds == ["demand_review_overdue", "dispute_opened"]
    notify.on_dispute_resolved(event("dispute_resolved", {
        "dispute_id": dispute_id, "subject": "record", "record_id": record_id,
        "demand_id": demand_id, "outcome": "minutes_adjusted", "minutes": 45,
        "approver": township, "reason": "核实", "region_code": REGION, "credited": True}))
    for caller in (elder_caller, volunteer_caller):  # both parties of the record hear it
        [resolved] = [m for m in notify.inbox(caller, {})["items"]
                      if m["kind"] == "dispute_resolved"]
        assert "服务时长调整为 45分" in resolved["body"]


def test_a_gift_tells_the_relative_and_a_donation_thanks_the_donor(notify, identity):
    giver, giver_caller = someone(identity, name="张伟")
    relative, relative_caller = someone(identity, "relative")
    notify.on_hours_given(event("hours_given", {
        "transfer_id": f"gift:{giver}:k1", "kind": "gift_to_relative",
        "from_person_id": giver, "to_person_id": relative, "minutes": 120}))
    notify.on_hours_given(event("hours_given", {
        "transfer_id": f"donation:{giver}:k2", "kind": "donation", "from_person_id": giver,
        "to_person_id": None, "pool_region_code": "130100000000", "minutes": 60}))
    [gift] = notify.inbox(relative_caller, {})["items"]
    assert gift["body"] == "张伟赠送给您 2小时 服务时长，已存入您的时间账户。"
    [thanks] = notify.inbox(giver_caller, {})["items"]
    assert thanks["title"] == "感谢您的捐赠"
    with pytest.raises(ValueError):  # a gift without its relative: retried, dead-lettered
        notify.on_hours_given(event("hours_given", {
            "transfer_id": f"gift:{giver}:k3", "kind": "gift_to_relative",
            "from_person_id": giver, "to_person_id": None, "minutes": 30}))


def test_expiring_qualifications_are_told_once(notify, identity, clock):
    pid, caller = someone(identity)
    # within identity's window (the next 30 days): Sunday 2026-07-05
    identity.add_qualification(pid, "nurse", china_date(clock.now()) + dt.timedelta(days=20))
    first = notify.check_qualifications()
    again = notify.check_qualifications(days=30)
    assert first["notified"] >= 1 and again["notified"] == 0
    [message] = notify.inbox(caller, {})["items"]
    assert "护士资质将于2026年7月5日到期" in message["body"]
    notify.warn_expiring_qualifications()  # the daily timer: nothing new to tell
    assert notify.inbox(caller, {})["total"] == 1


def test_eligibility_changes_reach_the_volunteer(notify, identity):
    pid, caller = someone(identity)
    notify.on_volunteer_suspended(event("volunteer_suspended", {
        "person_id": pid, "region_code": REGION, "reasons": ["training_short"],
        "reason_texts": [{"code": "training_short", "zh": "培训学时不足：已完成8小时，须达到20小时",
                          "en": "Not enough training: 8 of 20 hours completed"}]}))
    [message] = notify.inbox(caller, {})["items"]
    assert message["title"] == "志愿者资格暂停"
    assert "（培训学时不足：已完成8小时，须达到20小时）" in message["body"]
    assert "(Not enough training: 8 of 20 hours completed)" in message["body_en"]
    notify.on_volunteer_eligible(event("volunteer_eligible", {"person_id": pid,
                                                              "region_code": REGION}))
    assert {m["title"] for m in notify.inbox(caller, {})["items"]} == {
        "志愿者资格暂停", "志愿者资格已生效"}


def test_follow_ups_reach_the_station_and_an_unconfirmed_record_asks_the_elder(notify, identity):
    carrier = str(uuid.uuid4())
    operator, operator_caller = someone(identity, "station_operator")
    township, township_caller = someone(identity, "township_admin")
    identity.add_station_operator(operator, carrier)
    identity.add_township_admin(township, TOWNSHIP + "000")
    volunteer, _ = someone(identity, name="李明")
    elder, elder_caller = someone(identity, "elder", name="王秀英", phone="03115550001",
                                  phone_only=True, carrier_id=carrier)
    no_quiet_hours(notify, elder_caller, channels=["sms", "call"])
    station = {"person_id": operator, "roles": ["station_operator"],
               "scope": TOWNSHIP + "000", "carrier_id": carrier}
    demand_id, record_id = str(uuid.uuid4()), str(uuid.uuid4())
    notify.on_follow_up_opened(event("follow_up_opened", {
        "follow_up_id": str(uuid.uuid4()), "kind": "low_score", "evaluation_id": "ev-1",
        "record_id": record_id, "demand_id": demand_id, "volunteer_id": volunteer,
        "elder_id": elder, "region_code": REGION, "carrier_id": carrier, "score": 1}))
    [told] = notify.inbox(operator_caller, {})["items"]
    assert told["kind"] == "follow_up_opened" and told["title"] == "新的回访任务"
    assert told["body"] == f"一次服务的评价为1分，请回访老人了解情况（需求编号 {demand_id[:8]}）。" \
                           "请在“回访任务”中处理。"
    assert "rated 1 out of 5" in told["body_en"]
    # no station named: the township's admins hear of it instead
    notify.on_follow_up_opened(event("follow_up_opened", {
        "follow_up_id": str(uuid.uuid4()), "kind": "confirmation_overdue",
        "record_id": record_id, "demand_id": demand_id, "volunteer_id": volunteer,
        "elder_id": elder, "region_code": REGION, "carrier_id": None, "score": None}))
    [overdue_task] = notify.inbox(township_caller, {})["items"]
    assert "迟迟未经老人确认" in overdue_task["body"]
    assert len(notify.inbox(operator_caller, {})["items"]) == 1

    notify.on_confirmation_overdue(event("record_confirmation_overdue", {
        "record_id": record_id, "demand_id": demand_id, "elder_id": elder,
        "volunteer_id": volunteer, "minutes": 90, "region_code": REGION, "carrier_id": carrier,
        "recorded_at": "2030-05-01T02:00:00+00:00"}))
    notify.send_due()
    [task] = notify.call_tasks(station, {})["items"]
    assert task["kind"] == "record_confirmation_overdue"
    assert task["script"] == (
        "请致电王秀英（03115550001）：王秀英您好：李明为您提供的服务（1小时30分，2030年5月1日记录）"
        "尚待您确认，确认后志愿者的服务时长才能入账。请在“我的服务”中确认，或告诉服务站工作人员。")
    notify.send_due()
    assert len(notify.call_tasks(station, {})["items"]) == 1
    assert [m["kind"] for m in notify.inbox(elder_caller, {})["items"]] == [
        "record_confirmation_overdue"]


def test_an_elder_on_default_preferences_is_called_whatever_a_message_calls_them(
        notify, identity, fake_sms, clock):
    """A phone-only elder who never set preferences is called (elders' default) also as the
    relative who received a gift and as a party to a dispute the event names — after the
    default quiet hours (22:00-07:00)."""
    at_china(clock, 23, 0)
    carrier = str(uuid.uuid4())
    giver, _ = someone(identity, name="张伟")
    elder, elder_caller = someone(identity, "elder", name="赵秀兰", phone="03115550002",
                                  phone_only=True, carrier_id=carrier)
    volunteer, volunteer_caller = someone(identity)
    station = {"person_id": str(uuid.uuid4()), "roles": ["station_operator"],
               "scope": TOWNSHIP + "000", "carrier_id": carrier}
    notify.on_hours_given(event("hours_given", {
        "transfer_id": f"gift:{giver}:k9", "kind": "gift_to_relative",
        "from_person_id": giver, "to_person_id": elder, "minutes": 60}))
    notify.on_dispute_resolved(event("dispute_resolved", {  # no service_recorded seen before
        "dispute_id": str(uuid.uuid4()), "subject": "record", "record_id": str(uuid.uuid4()),
        "demand_id": str(uuid.uuid4()), "volunteer_id": volunteer, "elder_id": elder,
        "opened_by": elder, "outcome": "upheld", "minutes": None, "approver": "t-1",
        "reason": "核实无误", "region_code": REGION, "credited": False}))
    assert notify.inbox(elder_caller, {})["total"] == 2
    [heard] = notify.inbox(volunteer_caller, {})["items"]
    assert "维持原记录" in heard["body"]
    notify.send_due()  # 23:00: the defaults keep it quiet until 07:00
    assert notify.call_tasks(station, {})["items"] == []

    at_china(clock, 7, 0, days=1)
    notify.send_due()
    tasks = notify.call_tasks(station, {})["items"]
    assert sorted(t["kind"] for t in tasks) == ["dispute_resolved", "hours_given"]
    assert any("张伟赠送给您 1小时" in t["script"] for t in tasks)
    notify.send_due()
    assert len(notify.call_tasks(station, {})["items"]) == 2
    assert fake_sms.to("03115550002") == []
    for message in notify.inbox(elder_caller, {})["items"]:
        assert {d["channel"]: d["status"] for d in message["deliveries"]} == {
            "sms": "skipped", "call": "sent"}


def test_preferences_defaults_validation_and_who_may_set_them(notify, identity):
    elder, elder_caller = someone(identity, "elder", carrier_id=str(uuid.uuid4()))
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
    with pytest.raises(BadInput) as refused:
        notify.set_preferences(elder_caller, {"channels": ["email"]})
    assert refused.value.code == "email_required"
    assert notify.preferences(elder_caller)["is_default"]

    station = {"person_id": str(uuid.uuid4()), "roles": ["station_operator"],
               "scope": TOWNSHIP + "000", "carrier_id": identity.people[elder].carrier_id}
    saved = notify.set_preferences(station, {"channels": ["call"],
                                             "quiet_hours": {"start": "21:00", "end": "08:00"}},
                                   elder)
    assert saved["channels"] == ["call"] and saved["updated_by"] == station["person_id"]
    assert notify.preferences(elder_caller)["quiet_hours"]["start"] == "21:00"
    assert notify.preferences(station, elder)["channels"] == ["call"]
    _, volunteer_caller = someone(identity)
    with pytest.raises(Forbidden):
        notify.set_preferences(volunteer_caller, {"channels": ["sms"]}, elder)
    other_station = {**station, "carrier_id": str(uuid.uuid4())}
    with pytest.raises(NotFound):  # not theirs: answered as a person nobody has
        notify.preferences(other_station, elder)
    with pytest.raises(NotFound):
        notify.preferences(station, str(uuid.uuid4()))


def test_a_province_admin_edits_a_template_and_the_next_message_uses_it(notify, identity):
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
    _, volunteer_caller = someone(identity)
    with pytest.raises(Forbidden):
        notify.set_template(volunteer_caller, "certificate_issued", "volunteer", "zh-CN",
                            {"title": "x", "body": "y"})
    with pytest.raises(Forbidden):
        notify.templates(volunteer_caller)
    saved = notify.set_template(admin, "certificate_issued", "volunteer", "zh-CN",
                                {"title": "您的服务证明好了", "body": "证明编号 {number}，共 {total}。"})
    assert saved["updated_by"] == admin["person_id"]
    pid, caller = someone(identity)
    notify.on_certificate_issued(event("certificate_issued", {
        "number": "HB-1301-20301129-ABCDEFG", "person_id": pid, "period_from": "2030-01-01",
        "period_to": "2030-06-30", "total_minutes": 600, "issued_by": "s-1"}))
    [message] = notify.inbox(caller, {})["items"]
    assert message["title"] == "您的服务证明好了"
    assert message["body"] == "证明编号 HB-1301-20301129-ABCDEFG，共 10小时。"


def test_an_urgent_cancellation_is_first_on_the_stations_call_list(notify, identity, clock):
    carrier = str(uuid.uuid4())
    volunteer, _ = someone(identity, name="李明")
    elder, elder_caller = someone(identity, "elder", name="刘桂兰", phone="03117654321",
                                  phone_only=True, carrier_id=carrier)
    notify.set_preferences(elder_caller, {"channels": ["call"],  # only urgent calls now
                                          "quiet_hours": quiet_around_now(clock)})
    operator = {"person_id": str(uuid.uuid4()), "roles": ["station_operator"],
                "scope": TOWNSHIP + "000", "carrier_id": carrier}
    notify.on_demand_assigned(assigned(volunteer, elder, clock.now() + dt.timedelta(days=2)))
    soon = clock.now() + dt.timedelta(minutes=45)
    notify.on_demand_cancelled(event("demand_cancelled", {
        "demand_id": str(uuid.uuid4()), "elder_id": elder, "reason": "志愿者突发急事",
        "volunteer_ids": [volunteer], "window_start": soon.isoformat(),
        "window_end": (soon + dt.timedelta(hours=1)).isoformat()}))
    notify.send_due()
    [task] = notify.call_tasks(operator, {})["items"]
    assert task["urgent"] is True and task["kind"] == "demand_cancelled"
    assert task["script"].startswith("请致电刘桂兰（03117654321）：刘桂兰您好：您")
    assert "志愿者突发急事" in task["script"]

    clock.advance(hours=2)  # the morning: the other call, behind the urgent one
    notify.send_due()
    assert [(t["kind"], t["urgent"]) for t in notify.call_tasks(operator, {})["items"]] == [
        ("demand_cancelled", True), ("demand_assigned", False)]


def _expired(demand_id, elder_id, start, gone=None):
    """``demand_cancelled`` as demand's expiry sweep makes it, with demand's event contract:
    reason ``expired`` and nobody on the demand (``gone``, a volunteer who took it and
    withdrew, is no longer listed)."""
    from demand.contracts import DEMAND_CANCELLED, EXPIRED_REASON

    end = start + dt.timedelta(hours=1)
    return event("demand_cancelled", DEMAND_CANCELLED.dump({
        "demand_id": demand_id, "elder_id": elder_id, "region_code": REGION,
        "reason": EXPIRED_REASON, "volunteer_ids": [], "window_start": start,
        "window_end": end}))


def test_an_expired_demand_reaches_the_elder_by_the_stations_call_not_the_volunteer_who_left(
        notify, identity, clock):
    """Nobody served the demand in its window: the phone-only elder is called by their
    station ("未能安排到志愿者上门…请联系服务站"), not as an urgent call — the window is over,
    nobody is on the way —, and the volunteer who had withdrawn (and was told then) hears
    nothing more. An elder in quiet hours gets it in the inbox, the call waits."""
    carrier = str(uuid.uuid4())
    operator = {"person_id": str(uuid.uuid4()), "roles": ["station_operator"],
                "scope": TOWNSHIP + "000", "carrier_id": carrier}
    gone, gone_caller = someone(identity, name="赵磊")
    no_quiet_hours(notify, gone_caller)
    elder, elder_caller = someone(identity, "elder", name="王秀英", phone="03111234567",
                                  phone_only=True, carrier_id=carrier)
    notify.set_preferences(elder_caller, {"channels": ["call"], "quiet_hours": None})
    demand_id = str(uuid.uuid4())
    start = clock.now().replace(microsecond=0) + dt.timedelta(days=2)
    notify.on_demand_assigned(assigned(gone, elder, start, demand_id=demand_id))
    assert [m for m in notify.inbox(gone_caller, {})["items"] if m["kind"] == "demand_assigned"]
    notify.on_assignment_withdrawn(event("assignment_withdrawn", {
        "demand_id": demand_id, "volunteer_id": gone, "reason": "家中临时有事", "open_slots": 1,
        "region_code": REGION}))
    assert [m for m in notify.inbox(gone_caller, {})["items"]
            if m["kind"] == "assignment_withdrawn"]
    notify.on_demand_cancelled(_expired(demand_id, elder, start, gone=gone))
    notify.send_due()
    [task] = [t for t in notify.call_tasks(operator, {})["items"]
              if t["kind"] == "demand_cancelled"]
    assert task["elder_id"] == elder and task["urgent"] is False
    assert task["script"].startswith("请致电王秀英（03111234567）：王秀英您好：您")
    assert "未能安排到志愿者上门。如仍需要帮助，请联系服务站重新登记" in task["script"]
    assert "expired" not in task["script"]
    [told] = [m for m in notify.inbox(elder_caller, {})["items"]
              if m["kind"] == "demand_cancelled"]
    assert "未能安排到志愿者上门" in told["body"]
    assert [m for m in notify.inbox(gone_caller, {})["items"]
            if m["kind"] == "demand_cancelled"] == []

    # just over (the sweep runs at the window's end), the elder in quiet hours: not urgent
    sleeping, sleeping_caller = someone(identity, "elder", name="刘桂兰", phone="03117650000",
                                        phone_only=True, carrier_id=carrier)
    notify.set_preferences(sleeping_caller, {"channels": ["call"],
                                             "quiet_hours": quiet_around_now(clock)})
    over = clock.now().replace(microsecond=0) - dt.timedelta(hours=1, minutes=1)
    notify.on_demand_cancelled(_expired(str(uuid.uuid4()), sleeping, over))
    [message] = [m for m in notify.inbox(sleeping_caller, {})["items"]
                 if m["kind"] == "demand_cancelled"]
    assert "未能安排到志愿者上门" in message["body"]
    assert [d["status"] for d in message["deliveries"]] == ["pending"]  # after quiet hours
    notify.send_due()
    assert [t for t in notify.call_tasks(operator, {})["items"]
            if t["elder_id"] == sleeping] == []


def test_a_send_interrupted_by_a_dying_process_is_dead_lettered_not_repeated(
        notify, identity, fake_sms, clock, uow_factory):
    pid, caller = someone(identity)
    notify.set_preferences(caller, {"channels": ["sms"], "quiet_hours": quiet_around_now(clock)})
    notify.on_hours_credited(credited(pid))
    assert deliveries(notify, caller, "hours_credited")
    with uow_factory("notify")() as uow:  # as a process that died asking the provider left it
        uow.execute(text("UPDATE deliveries SET status = 'sending', attempts = 1, "
                         "updated_at = :then WHERE person_id = :p"),
                    {"p": pid, "then": clock.now() - dt.timedelta(hours=1)})
        uow.commit()
    notify.send_due()
    [dead] = deliveries(notify, caller, "hours_credited")
    assert dead["status"] == "dead" and dead["attempts"] == 1
    [listed] = [d for d in notify.dead_deliveries()["items"] if d["person_id"] == pid]
    assert listed["last_error"].startswith("interrupted while sending")
    [failure] = [e for e in outbox_events(uow_factory("notify"), "notification_failed")
                 if e["payload"]["person_id"] == pid]
    assert failure["payload"]["last_error"].startswith("interrupted while sending")
    clock.advance(hours=3)  # the quiet hours are over: still not sent again
    notify.send_due()
    assert fake_sms.to(identity.people[pid].phone) == []


def test_the_seed_text_can_be_restored_after_both_languages_dropped_a_placeholder(notify):
    """Placeholders are checked against what the message supplies, not against the current
    texts: once both locales lost ``{number}``, the seeded text must still be accepted."""
    admin = {"person_id": str(uuid.uuid4()), "roles": ["province_admin"], "scope": "130000000000"}
    seeded = {t["locale"]: t for t in SEEDED if (t["event_type"], t["role"]) ==
              ("certificate_issued", "volunteer")}
    for locale in ("zh-CN", "en"):
        notify.set_template(admin, "certificate_issued", "volunteer", locale,
                            {"title": "证明 Certificate", "body": "已出具 Issued"})
    restored = notify.set_template(admin, "certificate_issued", "volunteer", "zh-CN", {
        "title": seeded["zh-CN"]["title"], "body": seeded["zh-CN"]["body"]})
    assert restored["body"] == seeded["zh-CN"]["body"] and "{number}" in restored["body"]
    with pytest.raises(BadInput) as info:  # still only what the message supplies
        notify.set_template(admin, "certificate_issued", "volunteer", "en",
                            {"title": "x", "body": "{volunteer_name}"})
    assert info.value.code == "template_placeholder_unknown"
