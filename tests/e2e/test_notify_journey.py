"""Who hears what (issue 7), with every service running as its own process and the events
they really emit: people and demands are made over HTTP through the gateway, and each
notification is looked for where its recipient would see it — their inbox
(``/api/v1/inbox``), the station's call list for a phone-only elder
(``/api/v1/call-tasks``), SMS at a local Tencent-style server that checks every signature,
e-mail at a local SMTP server (both started by the ``platform`` fixture).

Two timers are nudged rather than waited for: demand's daily chase of unconfirmed records
and notify's daily check of expiring qualifications are called as the internal RPCs the
timers call; a second demand process with a 5-second review deadline escalates the demand
nobody reviews. Reminders are real: services are put 24 h + 15 s and 1 h + 15 s ahead, so
their reminders fall due during the test. The star milestone (100 hours of service) is
covered by a contract test instead: services/notify/tests/test_contract_producers.py.
"""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from timebank_testing import free_port, rpc_proxy
from timebank_testing import wait_for as shared_wait_for

from first_path import new_person_numbers
from platform_fixtures import Api

pytestmark = pytest.mark.e2e

REGION = "130102001001"  # the demo station's community
BEIJING = dt.timezone(dt.timedelta(hours=8))
# claimed this long before a reminder is due: notify schedules a reminder only while it is
# still ahead when it hears of the claim (a second or two later)
REMINDER_MARGIN = dt.timedelta(seconds=15)


def wait_for(predicate, timeout=20.0, interval=0.3):
    return shared_wait_for(predicate, timeout=timeout, interval=interval)


@pytest.fixture(scope="module")
def escalator(platform):
    """A second demand process whose review deadline is 5 s (demand processes share the
    escalation work, each demand is escalated once)."""
    platform.ports["demand-escalator"] = port = free_port()
    platform.start("demand", key="demand-escalator", extra_env={
        "DEMAND_HTTP": f"127.0.0.1:{port}", "DEMAND_REVIEW_ESCALATION_SECONDS": "5",
        "DEMAND_REVIEW_ESCALATION_CHECK_SECONDS": "1"})
    yield lambda: platform.wait_healthy(["demand-escalator"])
    platform.stop("demand-escalator")
    platform.ports.pop("demand-escalator", None)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


class People:
    """Logins and the HTTP calls each person makes."""

    def __init__(self, api, accounts):
        self.api = api
        self.op = api.login(accounts["station_operator"]["phone"],
                            accounts["station_operator"]["password"])
        self.township = api.login(accounts["township_admin"]["phone"],
                                  accounts["township_admin"]["password"])

    def post(self, path, body=None, token=None, expect=200, **kwargs):
        return self.api.call("POST", path, body, token=token or self.op, expect=expect,
                             **kwargs).json()

    def inbox(self, token) -> list[dict]:
        return self.api.call("GET", "/api/v1/inbox?page_size=100", token=token,
                             expect=200).json()["items"]

    def call_tasks(self, elder_id) -> list[dict]:
        """The station's open calls to one elder (every page: the list is oldest first, and
        other tests' elders may be on it)."""
        found, page = [], 1
        while True:
            answer = self.api.call("GET", f"/api/v1/call-tasks?page_size=100&page={page}",
                                   token=self.op, expect=200).json()
            found += [t for t in answer["items"] if t["elder_id"] == elder_id]
            if page * 100 >= answer["total"]:
                return found
            page += 1

    def volunteer(self, name, trained=True) -> dict:
        id_number, phone = new_person_numbers("19900512", "male")
        person = self.post("/api/v1/volunteers", {
            "name": name, "id_number": id_number, "phone": phone, "region_code": REGION,
            "volunteer_number": f"V{phone}", "initial_password": "Volunteer@2026",
            "registry_status": "verified", "screening": "clear", "health_declared": True,
            "training_hours_completed": 8 if trained else 0}, expect=201)
        person["phone"] = phone
        person["token"] = self.api.login(phone, "Volunteer@2026")
        return person

    def demand(self, elder_id, start, minutes=90, review=True,
               category="emotional_comfort") -> str:
        demand = self.post("/api/v1/demands", {
            "elder_id": elder_id, "category": category,
            "description": "老人独居，希望有人陪同聊天、读报", "address": "育才街12号3单元201",
            "window_start": iso(start), "window_end": iso(start + dt.timedelta(minutes=minutes)),
            "expected_minutes": minutes, "volunteers_needed": 1, "channel": "phone",
            "funding_source": "issuance"}, expect=201)
        if review:
            self.post(f"/api/v1/demands/{demand['demand_id']}/review", {"decision": "approve"})
        return demand["demand_id"]

    def serve(self, demand_id, volunteer, minutes, confirmation) -> dict:
        """Claimed, checked in and out (the server's time: seconds apart), recorded by the
        station, held for a second look (more minutes than the presence) and released by the
        township admin."""
        token = volunteer["token"]
        self.post(f"/api/v1/demands/{demand_id}/claim", token=token)
        self.post(f"/api/v1/demands/{demand_id}/check-in", {"lat": 38.05, "lng": 114.52},
                  token=token)
        self.post(f"/api/v1/demands/{demand_id}/check-out", {"lat": 38.05, "lng": 114.52},
                  token=token)
        record = self.post(f"/api/v1/demands/{demand_id}/record", {
            "volunteer_id": volunteer["person_id"], "minutes": minutes,
            "confirmation": confirmation, "note": "电话回访"}, expect=201)
        assert record["status"] == "held", record
        assert "minutes_exceed_presence" in [f["code"] for f in record["flags"]]
        return self.post(f"/api/v1/records/{record['record_id']}/release",
                         {"reason": "电话回访老人，核实服务时长"}, token=self.township)


def quiet_hours_now() -> dict:
    """Quiet hours around the present moment (Beijing time)."""
    now = dt.datetime.now(BEIJING)
    return {"start": (now - dt.timedelta(hours=1)).strftime("%H:%M"),
            "end": (now + dt.timedelta(hours=2)).strftime("%H:%M")}


def about(messages, kind, demand_id=None) -> list[dict]:
    return [m for m in messages if m["kind"] == kind
            and (demand_id is None or m["data"].get("demand_id") == demand_id)]


@pytest.fixture(scope="module")
def journey(platform, demo_accounts, escalator):
    """The actions, in the order a week at the station would have them (compressed)."""
    api = Api(platform.url("gateway"))
    p = People(api, demo_accounts)
    w = {"p": p}
    # an elder who called by phone: no smartphone; the station keeps her quiet hours off so
    # calls about her services are on its list at any hour of this test
    elder_id_number, elder_phone = new_person_numbers("19460308", "female")
    w["elder_phone"] = elder_phone
    w["elder"] = elder = p.post("/api/v1/elders", {
        "name": "王秀英", "id_number": elder_id_number, "phone": elder_phone,
        "address": "石家庄市长安区建北街道育才街12号", "region_code": REGION,
        "phone_only": True}, expect=201)
    api.call("PUT", f"/api/v1/preferences?person_id={elder['person_id']}",
             {"channels": ["sms", "call"], "quiet_hours": None}, token=p.op, expect=200)

    # 李明: eligible at registration; texts and e-mails at any hour; wants nearby demands
    w["li"] = li = p.volunteer("李明")
    w["li_email"] = f"li.{li['phone']}@example.cn"
    api.call("PUT", "/api/v1/preferences", {
        "channels": ["sms", "email"], "quiet_hours": None, "email": w["li_email"],
        "nearby_demands": True}, token=li["token"], expect=200)
    # 赵磊: not trained yet; quiet hours now: only urgent texts reach him
    w["zhao"] = zhao = p.volunteer("赵磊", trained=False)
    assert zhao["eligible"] is False
    api.call("PUT", "/api/v1/preferences", {"channels": ["sms"], "quiet_hours": quiet_hours_now()},
             token=zhao["token"], expect=200)
    p.post(f"/api/v1/volunteers/{zhao['person_id']}/trainings", {
        "course": "老年人照护基础知识", "organiser": "长安区志愿服务联合会",
        "date": dt.date.today().isoformat(), "hours": 8}, expect=201)

    # services whose reminders fall due during the test: 李明 tomorrow, 赵磊 in an hour
    now = dt.datetime.now(dt.UTC)
    w["tomorrow"] = p.demand(elder["person_id"], now + dt.timedelta(hours=24) + REMINDER_MARGIN)
    w["in_an_hour"] = p.demand(elder["person_id"], now + dt.timedelta(hours=1) + REMINDER_MARGIN,
                               minutes=60)
    p.post(f"/api/v1/demands/{w['tomorrow']}/claim", token=li["token"])
    p.post(f"/api/v1/demands/{w['in_an_hour']}/claim", token=zhao["token"])

    # help wanted within the hour, which nobody has taken yet
    w["soon_start"] = now + dt.timedelta(minutes=40)
    w["soon"] = p.demand(elder["person_id"], w["soon_start"], minutes=30, category="assistance")

    # a demand nobody reviews: escalated to the station and the township after 5 s
    escalator()
    w["unreviewed"] = p.demand(elder["person_id"], now + dt.timedelta(hours=5), review=False)

    # 李明 serves now; the station records 90 minutes (the elder confirmed by phone)
    w["served"] = p.demand(elder["person_id"], now + dt.timedelta(minutes=2), minutes=50)
    w["record"] = p.serve(w["served"], li, 90, "phone")
    # 赵磊 serves later today; the record waits for the elder's confirmation in the app
    w["unconfirmed"] = p.demand(elder["person_id"], now + dt.timedelta(hours=3), minutes=60)
    w["unconfirmed_record"] = p.serve(w["unconfirmed"], zhao, 60, "app")

    # the station takes the elder's evaluation by phone: 1 of 5 opens a follow-up
    p.post(f"/api/v1/demands/{w['served']}/evaluate", {"score": 1, "comment": "聊天时心不在焉"})

    # 李明's hours: credited, then a gift to his mother (the elder), a donation, a certificate
    wait_for(lambda: api.call("GET", f"/api/v1/accounts/{li['person_id']}", token=li["token"],
                              expect=200).json()["earned_minutes"] >= 90, timeout=60)
    link = p.post("/api/v1/relations", {
        "person_id": li["person_id"], "relative_person_id": elder["person_id"],
        "kind": "parent", "evidence": "户口簿 户号 130102000123"}, token=li["token"], expect=201)
    p.post(f"/api/v1/relations/{link['link_id']}/verify", {"decision": "verify"})
    for kind, minutes in (("gift_to_relative", 30), ("donation", 15)):
        p.post("/api/v1/transfers", {"kind": kind, "minutes": minutes,
                                     **({"to_person_id": elder["person_id"]}
                                        if kind == "gift_to_relative" else {})},
               token=li["token"], expect=201, headers={"Idempotency-Key": uuid.uuid4().hex})
    today = dt.datetime.now(BEIJING).date()
    w["certificate"] = p.post("/api/v1/certificates", {
        "person_id": li["person_id"], "from": f"{today.year}-01-01", "to": today.isoformat()},
        token=li["token"], expect=201)

    # 李明 disputes the time of his record; the township cuts it to 60 minutes
    w["dispute"] = dispute = p.post("/api/v1/disputes", {
        "record_id": w["record"]["record_id"], "reason": "实际服务了一个半小时，但回访记录有误"},
        token=li["token"], expect=201)
    p.post(f"/api/v1/disputes/{dispute['dispute_id']}/take", {}, token=p.township)
    p.post(f"/api/v1/disputes/{dispute['dispute_id']}/resolve", {
        "outcome": "minutes_adjusted", "minutes": 60, "reason": "核实签到记录后认定60分钟"},
        token=p.township)

    # the daily jobs, run now: demand chases unconfirmed records, notify warns of expiring
    # qualifications (赵磊's elderly-care certificate runs out in 10 days)
    qualification = p.post(f"/api/v1/volunteers/{zhao['person_id']}/qualifications", {
        "kind": "elderly_care_worker", "number": f"YL{zhao['phone']}",
        "issuer": "石家庄市人力资源和社会保障局",
        "valid_until": (today + dt.timedelta(days=10)).isoformat()},
        token=zhao["token"], expect=201)
    p.post(f"/api/v1/qualifications/{qualification['qualification_id']}/verify",
           {"decision": "verify"})
    with rpc_proxy(platform.rabbit.uri, "demand", timeout=30) as demand:
        assert demand.chase_confirmations(0)["reported"] >= 1
    with rpc_proxy(platform.rabbit.uri, "notify", timeout=30) as notify:
        assert notify.check_qualifications(30)["notified"] >= 1

    # the station disputes 赵磊's record, never sent to the ledger; the township upholds it
    w["dispute_unsent"] = unsent = p.post("/api/v1/disputes", {
        "record_id": w["unconfirmed_record"]["record_id"], "reason": "签退地点与老人住址不符"},
        expect=201)
    p.post(f"/api/v1/disputes/{unsent['dispute_id']}/resolve", {
        "outcome": "upheld", "reason": "老人电话确认志愿者到过家中"}, token=p.township)

    # the screening finds a record: 赵磊 may no longer serve
    p.post(f"/api/v1/volunteers/{zhao['person_id']}/screening",
           {"result": "flagged", "note": "信用中国查询有失信记录"})

    # the reminders fall due (15 s after the claims); then both services are cancelled
    wait_for(lambda: about(p.inbox(li["token"]), "service_reminder", w["tomorrow"]),
             timeout=90, interval=1)
    wait_for(lambda: about(p.inbox(zhao["token"]), "service_reminder", w["in_an_hour"]),
             timeout=30, interval=1)
    for demand_id, reason in ((w["tomorrow"], "老人临时去女儿家住几天"),
                              (w["in_an_hour"], "老人身体不适去医院"),
                              (w["soon"], "老人的女儿回来了")):
        p.post(f"/api/v1/demands/{demand_id}/cancel", {"reason": reason})
    return w


# --- demand ------------------------------------------------------------------------------
def test_a_published_demand_reaches_the_volunteers_who_opted_in(journey):
    p, w = journey["p"], journey
    [nearby] = wait_for(lambda: about(p.inbox(w["li"]["token"]), "demand_published",
                                      w["tomorrow"]))
    assert nearby["title"] == "附近有新的服务需求"
    assert nearby["body"].startswith("情感慰藉，时间：")  # the category's name from demand
    assert "地点：育才社区居委会。" in nearby["body"]  # the community's name from identity
    assert about(p.inbox(w["zhao"]["token"]), "demand_published") == []  # did not opt in


def test_an_assignment_is_confirmed_to_the_volunteer_and_called_to_the_elder(journey):
    p, w = journey["p"], journey
    [taken] = wait_for(lambda: about(p.inbox(w["li"]["token"]), "demand_assigned",
                                     w["tomorrow"]))
    assert taken["title"] == "您已接单"
    task = wait_for(lambda: [t for t in p.call_tasks(w["elder"]["person_id"])
                             if t["kind"] == "demand_assigned"
                             and "赵磊将于" in t["script"]])[0]
    assert task["script"].startswith(f"请致电王秀英（{w['elder_phone']}）：王秀英您好：赵磊将于")
    assert "上门为您服务" in task["script"] and task["urgent"] is False
    # the station calls and records the outcome
    done = p.post(f"/api/v1/call-tasks/{task['id']}", {"outcome": "reached", "note": "已告知"})
    assert done["status"] == "done"


def test_reminders_a_day_and_an_hour_ahead(journey):
    p, w = journey["p"], journey
    [day] = about(p.inbox(w["li"]["token"]), "service_reminder", w["tomorrow"])
    assert day["data"]["lead"] == "24h" and day["body"].startswith("明天（")
    [hour] = about(p.inbox(w["zhao"]["token"]), "service_reminder", w["in_an_hour"])
    assert hour["data"]["lead"] == "1h" and hour["body"].startswith("1小时后（")
    # the day-before reminder is worth a call to the elder; it names who comes
    wait_for(lambda: [t for t in p.call_tasks(w["elder"]["person_id"])
                      if t["kind"] == "service_reminder" and "明天" in t["script"]
                      and "李明将上门为您服务" in t["script"]])


def test_cancellations_reach_volunteer_and_elder_urgent_ones_through_quiet_hours(
        journey, platform):
    p, w = journey["p"], journey
    [li_told] = wait_for(lambda: about(p.inbox(w["li"]["token"]), "demand_cancelled",
                                       w["tomorrow"]))
    assert "老人临时去女儿家住几天" in li_told["body"]
    [zhao_told] = wait_for(lambda: about(p.inbox(w["zhao"]["token"]), "demand_cancelled",
                                         w["in_an_hour"]))
    assert "老人身体不适去医院" in zhao_told["body"]

    calls = wait_for(lambda: (found := [t for t in p.call_tasks(w["elder"]["person_id"])
                                        if t["kind"] == "demand_cancelled"
                                        and "老人的女儿回来了" not in t["script"]])
                     and len(found) == 2 and found)
    urgency = {("老人身体不适去医院" in t["script"]): t["urgent"] for t in calls}
    assert urgency == {True: True, False: False}  # within 2 hours: urgent, first on the list
    # nobody had taken the one due within the hour (no reminders): the cancellation itself
    # says when it was, so it is urgent too
    [soon] = wait_for(lambda: [t for t in p.call_tasks(w["elder"]["person_id"])
                               if t["kind"] == "demand_cancelled"
                               and "老人的女儿回来了" in t["script"]])
    start = w["soon_start"].astimezone(BEIJING)
    assert soon["urgent"] is True and f"{start:%H:%M}–" in soon["script"]

    # 赵磊 is in his quiet hours: only the urgent texts came — the 1-hour reminder and the
    # cancellation of a service due within 2 hours; everything else waits for the morning
    texts = wait_for(lambda: (sent := platform.sms.to(w["zhao"]["phone"]))
                     and len(sent) == 2 and sent, timeout=15)
    assert sorted(t["TemplateParamSet"][0] for t in texts) == sorted(["服务提醒", "服务已取消"])
    waiting = [d for m in p.inbox(w["zhao"]["token"]) if m["kind"] == "demand_assigned"
               for d in m["deliveries"]]
    assert [(d["channel"], d["status"]) for d in waiting] == [("sms", "pending")] * 2


# --- recording and the ledger -------------------------------------------------------------
def test_the_record_and_the_credit_reach_the_volunteer_by_inbox_sms_and_email(
        journey, platform):
    p, w = journey["p"], journey
    li = w["li"]
    box = wait_for(lambda: (m := p.inbox(li["token"]))
                   and about(m, "service_recorded", w["served"])
                   and about(m, "hours_credited", w["served"]) and m)
    [recorded] = about(box, "service_recorded", w["served"])
    assert "1小时30分" in recorded["body"]
    [credited] = about(box, "hours_credited", w["served"])
    assert credited["body"].startswith("您的服务时长 1小时30分 已存入时间账户")
    sms = wait_for(lambda: [s for s in platform.sms.to(li["phone"])
                            if s["TemplateParamSet"][0] == "服务时长已入账"])
    assert len(sms) == 1 and "1小时30分" in sms[0]["TemplateParamSet"][1]
    mails = wait_for(lambda: [m for m in platform.mailbox.to(w["li_email"])
                              if m["Subject"].startswith("服务时长已入账")])
    assert len(mails) == 1 and "Service hours credited" in mails[0]["Subject"]


def test_a_gift_reaches_the_elder_by_phone_and_a_donation_thanks_the_donor(journey):
    p, w = journey["p"], journey
    [gift] = wait_for(lambda: [t for t in p.call_tasks(w["elder"]["person_id"])
                               if t["kind"] == "hours_given"])
    assert "李明赠送给您 30分 服务时长" in gift["script"]
    thanks = wait_for(lambda: [m for m in about(p.inbox(w["li"]["token"]), "hours_given")
                               if m["data"]["kind"] == "donation"])
    assert thanks[0]["title"] == "感谢您的捐赠" and "15分" in thanks[0]["body"]


def test_the_certificate_is_announced(journey, platform):
    p, w = journey["p"], journey
    number = w["certificate"]["number"]
    [ready] = wait_for(lambda: [m for m in about(p.inbox(w["li"]["token"]),
                                                 "certificate_issued")
                                if m["data"]["number"] == number])
    assert f"编号 {number}" in ready["body"]
    wait_for(lambda: [m for m in platform.mailbox.to(w["li_email"])
                      if m["Subject"].startswith("服务记录证明已开具")])


# --- follow-ups, disputes, station work ---------------------------------------------------
def test_a_low_score_and_an_unconfirmed_record_open_follow_ups_for_the_station(journey):
    p, w = journey["p"], journey
    follow_ups = wait_for(lambda: (f := [m for m in about(p.inbox(p.op), "follow_up_opened")
                                         if m["data"]["demand_id"] in (w["served"],
                                                                       w["unconfirmed"])])
                          and len(f) == 2 and f)
    kinds = {m["data"]["demand_id"]: m for m in follow_ups}
    assert "评价为1分" in kinds[w["served"]]["body"]
    assert "迟迟未经老人确认" in kinds[w["unconfirmed"]]["body"]
    # the station's task: the township's admins are not bothered with it
    assert [m for m in about(p.inbox(p.township), "follow_up_opened")
            if m["data"]["demand_id"] in (w["served"], w["unconfirmed"])] == []
    # the elder is asked to confirm: by a call, having no smartphone
    [ask] = wait_for(lambda: [t for t in p.call_tasks(w["elder"]["person_id"])
                              if t["kind"] == "record_confirmation_overdue"])
    assert "赵磊为您提供的服务（1小时" in ask["script"] and "尚待您确认" in ask["script"]


def test_an_unreviewed_demand_is_escalated_to_the_station_and_the_township(journey):
    p, w = journey["p"], journey
    for token in (p.op, p.township):
        [overdue] = wait_for(lambda t=token: about(p.inbox(t), "demand_review_overdue",
                                                   w["unreviewed"]), timeout=30)
        assert overdue["title"] == "需求审核超时"
        assert w["unreviewed"][:8] in overdue["body"]


def test_a_dispute_reaches_the_township_and_its_outcome_every_party(journey):
    p, w = journey["p"], journey
    dispute_id = w["dispute"]["dispute_id"]
    [opened] = wait_for(lambda: [m for m in about(p.inbox(p.township), "dispute_opened")
                                 if m["data"]["dispute_id"] == dispute_id])
    assert dispute_id[:8] in opened["body"]
    assert [m for m in about(p.inbox(p.op), "dispute_opened")
            if m["data"]["dispute_id"] == dispute_id] == []
    [outcome] = wait_for(lambda: [m for m in about(p.inbox(w["li"]["token"]),
                                                   "dispute_resolved")
                                  if m["data"]["dispute_id"] == dispute_id])
    assert "服务时长调整为 1小时" in outcome["body"]  # once, though he is opener and volunteer
    wait_for(lambda: [t for t in p.call_tasks(w["elder"]["person_id"])
                      if t["kind"] == "dispute_resolved" and "服务时长调整为 1小时" in t["script"]])

    # a record never sent to the ledger (no service_recorded): the event names the parties
    unsent = w["dispute_unsent"]["dispute_id"]
    for token in (w["zhao"]["token"], p.op):  # the volunteer, and the station that opened it
        [upheld] = wait_for(lambda t=token: [m for m in about(p.inbox(t), "dispute_resolved")
                                             if m["data"]["dispute_id"] == unsent])
        assert "维持原记录" in upheld["body"]
    wait_for(lambda: [t for t in p.call_tasks(w["elder"]["person_id"])
                      if t["kind"] == "dispute_resolved" and "维持原记录" in t["script"]])


# --- identity ------------------------------------------------------------------------------
def test_eligibility_changes_and_an_expiring_qualification_reach_the_volunteer(journey):
    p, w = journey["p"], journey
    li_box = p.inbox(w["li"]["token"])
    assert about(li_box, "volunteer_eligible")  # eligible at registration
    box = wait_for(lambda: (m := p.inbox(w["zhao"]["token"]))
                   and about(m, "volunteer_suspended") and m)
    [eligible] = about(box, "volunteer_eligible")  # after the training was recorded
    assert eligible["title"] == "志愿者资格已生效"
    [suspended] = about(box, "volunteer_suspended")
    assert "信用或违法记录审查未通过" in suspended["body"]
    [expiring] = about(box, "qualification_expiring")
    assert "养老护理员资质将于" in expiring["body"]


# --- nothing twice --------------------------------------------------------------------------
def test_every_text_and_mail_went_once_and_was_signed(journey, platform):
    p, w = journey["p"], journey
    li = w["li"]

    def sent_on(channel):
        return [m for m in p.inbox(li["token"]) if any(
            d["channel"] == channel and d["status"] == "sent" for d in m["deliveries"])]

    def agree():
        texts, mails = platform.sms.to(li["phone"]), platform.mailbox.to(w["li_email"])
        return (len(texts) == len(sent_on("sms")) and len(mails) == len(sent_on("email"))
                and (texts, mails))

    texts, mails = wait_for(agree)
    assert len(texts) >= 8 and len(mails) >= 8
    assert len({t["SessionContext"] for t in texts}) == len(texts)  # one per delivery
    assert platform.sms.bad_signatures == 0
