"""The station operator's people and follow-up work (console/src/station/people), desktop:
finding people and their eligibility, correcting an elder, relatives and proxies, calls to
make, evaluations by phone, disputes and certificates. What is not the point of a test is set
up through the HTTP API (``api``); names carry a unique mark so other tests' data never
matters."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest

from console_browser import DESKTOP, axe, login, shot
from first_path import new_person_numbers

OPERATOR = "13800000005"
VOLUNTEER = "13800000007"
REGION = "130102001001"  # the demo station's community
CHINA = dt.timezone(dt.timedelta(hours=8))


def mark() -> str:
    return uuid.uuid4().hex[:6]


@pytest.fixture
def op(api):
    return api.login(OPERATOR, "Demo@2026")


def new_elder(api, op, name: str, **extra) -> dict:
    id_number, phone = new_person_numbers("19450101", "female")
    elder = api.call("POST", "/api/v1/elders", {
        "name": name, "id_number": id_number, "phone": phone, "address": "育才街1号",
        "region_code": REGION, **extra}, token=op, expect=201).json()
    elder["phone"] = phone
    return elder


def new_volunteer(api, op, name: str, trained: bool = True) -> dict:
    id_number, phone = new_person_numbers("19850101", "male")
    person = api.call("POST", "/api/v1/volunteers", {
        "name": name, "id_number": id_number, "phone": phone, "region_code": REGION,
        "volunteer_number": f"V{phone}", "initial_password": "Volunteer@2026",
        "registry_status": "verified", "screening": "clear", "health_declared": True,
        "training_hours_completed": 8 if trained else 0}, token=op, expect=201).json()
    person["phone"] = phone
    person["token"] = api.login(phone, "Volunteer@2026")
    return person


def operator_page(new_page):
    page = new_page(viewport=DESKTOP)
    page.set_default_timeout(45_000)  # the platform answers slowly when the machine is busy
    login(page, OPERATOR)
    return page


def test_find_the_demo_volunteer_by_phone_and_see_eligibility(new_page, api, op):
    untrained = new_volunteer(api, op, f"新志愿者{mark()}", trained=False)
    page = operator_page(new_page)
    page.get_by_role("menuitem", name="人员").click()
    page.get_by_role("heading", name="人员").wait_for()
    page.get_by_role("tab", name="志愿者").click()
    page.get_by_label("查找").fill(VOLUNTEER)
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name="郑浩然").wait_for()
    axe(page)
    shot(page, "station-people-list")
    page.get_by_role("link", name="郑浩然").click()
    page.get_by_role("heading", name="服务资格").wait_for()
    page.get_by_text("可以服务", exact=True).wait_for()
    page.get_by_text("8 / 8 学时").wait_for()
    axe(page)
    shot(page, "station-people-volunteer")

    # a volunteer not yet trained: what is missing is said in words
    page.goto(f"/station/people/volunteers/{untrained['person_id']}")
    page.get_by_text("暂不能服务", exact=True).wait_for()
    page.get_by_text("还缺少：").wait_for()
    page.get_by_role("button", name="登记培训").click()
    page.get_by_label("课程名称").fill("老年人照护基础知识")
    page.get_by_label("培训单位").fill("长安区志愿服务联合会")
    page.get_by_label("学时", exact=True).fill("8")
    page.get_by_role("button", name="保存", exact=True).click()
    try:
        page.get_by_text("培训已登记").or_(page.get_by_role("alert")).first.wait_for()
    finally:
        shot(page, "station-people-volunteer-training")
    page.get_by_text("培训已登记").wait_for()
    page.get_by_text("可以服务", exact=True).wait_for()
    shot(page, "station-people-volunteer-trained")


def test_correct_an_elder_and_verify_a_relative_made_proxy(new_page, api, op):
    tag = mark()
    elder = new_elder(api, op, f"刘桂芝{tag}")
    son = new_volunteer(api, op, f"刘建军{tag}")
    api.call("POST", "/api/v1/relations", {
        "person_id": son["person_id"], "relative_person_id": elder["person_id"],
        "kind": "parent", "evidence": f"户口簿 {tag}"}, token=son["token"], expect=201)

    page = operator_page(new_page)
    page.goto("/station/people")
    page.get_by_label("查找").fill(f"刘桂芝{tag}")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name=f"刘桂芝{tag}").click()
    page.get_by_role("heading", name="基本信息").wait_for()
    axe(page)
    shot(page, "station-people-elder")

    page.get_by_role("button", name="更正信息").click()
    address = page.get_by_label("住址")
    address.fill(f"石家庄市长安区育才街12号3单元201（{tag}）")
    page.get_by_role("button", name="保存更正").click()
    page.get_by_text("已保存更正").wait_for()
    page.get_by_test_id("elder-address").get_by_text(f"育才街12号3单元201（{tag}）").wait_for()
    saved = api.call("GET", f"/api/v1/elders/{elder['person_id']}?unmasked=true", token=op,
                     expect=200).json()
    assert saved["address"] == f"石家庄市长安区育才街12号3单元201（{tag}）"

    page.get_by_role("button", name=f"核实 刘建军{tag}").click()
    page.get_by_text("亲属关系审核结果已保存").wait_for()
    page.get_by_role("button", name=f"设为代理人 刘建军{tag}").click()
    page.get_by_text("已设为代理人").wait_for()
    page.get_by_role("button", name=f"取消代理 刘建军{tag}").wait_for()
    axe(page)
    shot(page, "station-people-elder-proxy")
    proxies = api.call("GET", f"/api/v1/elders/{elder['person_id']}", token=op,
                       expect=200).json()["proxies"]
    assert [p["person_id"] for p in proxies] == [son["person_id"]]


# --- follow-up work: services set up through the API ---------------------------------------
@pytest.fixture
def township(api):
    return api.login("13800000004", "Demo@2026")


def demand_for(api, op, elder: dict, description: str, minutes: int = 60) -> str:
    now = dt.datetime.now(dt.UTC)
    demand = api.call("POST", "/api/v1/demands", {
        "elder_id": elder["person_id"], "category": "emotional_comfort",
        "description": description, "address": "育才街12号3单元201",
        "window_start": (now + dt.timedelta(minutes=2)).isoformat(),
        "window_end": (now + dt.timedelta(hours=3)).isoformat(),
        "expected_minutes": minutes, "volunteers_needed": 1, "channel": "phone",
        "funding_source": "issuance"}, token=op, expect=201).json()
    api.call("POST", f"/api/v1/demands/{demand['demand_id']}/review", {"decision": "approve"},
             token=op, expect=200)
    return demand["demand_id"]


def serve(api, op, township, elder: dict, volunteer: dict, description: str,
          confirmation: str, minutes: int = 60) -> dict:
    """A demand served and recorded: held (recorded minutes exceed the seconds of presence)
    and released by the township; ``confirmation`` phone (sent) or app (awaiting the elder)."""
    demand_id = demand_for(api, op, elder, description, minutes)
    token = volunteer["token"]
    api.call("POST", f"/api/v1/demands/{demand_id}/claim", token=token, expect=200)
    for step in ("check-in", "check-out"):
        api.call("POST", f"/api/v1/demands/{demand_id}/{step}", {"lat": 38.05, "lng": 114.52},
                 token=token, expect=200)
    record = api.call("POST", f"/api/v1/demands/{demand_id}/record", {
        "volunteer_id": volunteer["person_id"], "minutes": minutes,
        "confirmation": confirmation, "note": "服务完成"}, token=op, expect=201).json()
    if record["status"] == "held":
        record = api.call("POST", f"/api/v1/records/{record['record_id']}/release",
                          {"reason": "电话回访老人，核实服务时长"}, token=township,
                          expect=200).json()
    record["demand_id"] = demand_id
    return record


def wait_until(fetch, timeout=60.0):
    import time
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if value:
            return value
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.5)


def test_issue_download_and_verify_a_certificate(new_page, api, op, township):
    tag = mark()
    elder = new_elder(api, op, f"证明老人{tag}")
    volunteer = new_volunteer(api, op, f"证明志愿者{tag}")
    serve(api, op, township, elder, volunteer, f"陪同聊天 {tag}", "phone", minutes=90)
    wait_until(lambda: api.call("GET", f"/api/v1/accounts/{volunteer['person_id']}",
                                token=volunteer["token"], expect=200).json()["earned_minutes"] >= 90)

    page = operator_page(new_page)
    page.get_by_role("menuitem", name="服务证明").click()
    page.get_by_label("志愿者手机号或姓名").fill(volunteer["phone"])
    page.get_by_role("button", name="查找").click()
    page.get_by_role("button", name=f"选择 证明志愿者{tag}").click()
    page.get_by_text(f"已选择：证明志愿者{tag}").wait_for()
    page.get_by_role("button", name="出具证明").click()
    page.get_by_text("证明已出具").wait_for()
    page.get_by_text("1 小时 30 分钟").wait_for()
    number = page.locator(".sp-issued strong").first.inner_text().strip()
    assert number
    axe(page)
    shot(page, "station-people-certificate")
    with page.expect_download() as info:
        page.get_by_role("button", name="下载 PDF").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.get_by_label("证明编号").fill(number)
    page.get_by_role("button", name="核验").click()
    page.get_by_text("真实有效", exact=True).wait_for()
    shot(page, "station-people-certificate-verified")


def test_resolve_a_dispute_with_adjusted_time(new_page, api, op, township):
    tag = mark()
    elder = new_elder(api, op, f"纠纷老人{tag}")
    volunteer = new_volunteer(api, op, f"纠纷志愿者{tag}")
    record = serve(api, op, township, elder, volunteer, f"读报 {tag}", "phone", minutes=90)
    reason = f"签退地点与老人住址不符 {tag}"
    # raised by the township (four eyes: whoever raises a dispute does not decide it)
    api.call("POST", "/api/v1/disputes", {"record_id": record["record_id"], "reason": reason},
             token=township, expect=201)

    page = operator_page(new_page)
    page.get_by_role("menuitem", name="纠纷处理").click()
    page.get_by_role("button", name=f"详情 {reason}").click()
    page.get_by_role("heading", name=reason).wait_for()
    axe(page)
    shot(page, "station-people-disputes")
    form = page.get_by_role("form", name="裁决争议")
    form.get_by_text("调整时长", exact=True).click()
    form.get_by_label("调整后的时长（分钟）").fill("60")
    form.get_by_label("裁决理由").fill("核实签到记录后认定60分钟")
    form.get_by_role("button", name="裁决", exact=True).click()
    page.get_by_text("已裁决：调整时长").wait_for()
    shot(page, "station-people-dispute-resolved")
    [dispute] = api.call("GET", f"/api/v1/disputes?demand_id={record['demand_id']}", token=op,
                         expect=200).json()["items"]
    assert dispute["status"] == "resolved" and dispute["outcome"] == "minutes_adjusted"


def test_complete_a_call_task(new_page, api, op):
    tag = mark()
    elder = new_elder(api, op, f"电话老人{tag}", phone_only=True)
    api.call("PUT", f"/api/v1/preferences?person_id={elder['person_id']}",
             {"channels": ["sms", "call"], "quiet_hours": None}, token=op, expect=200)
    volunteer = new_volunteer(api, op, f"上门志愿者{tag}")
    demand_id = demand_for(api, op, elder, f"陪同散步 {tag}")
    api.call("POST", f"/api/v1/demands/{demand_id}/claim", token=volunteer["token"], expect=200)

    def open_tasks():
        items, page_no = [], 1
        while True:
            answer = api.call("GET", f"/api/v1/call-tasks?page_size=100&page={page_no}", token=op,
                              expect=200).json()
            items += [t for t in answer["items"] if t["elder_id"] == elder["person_id"]]
            if page_no * 100 >= answer["total"]:
                return items
            page_no += 1

    wait_until(open_tasks)
    page = operator_page(new_page)
    page.get_by_role("menuitem", name="电话回访").click()
    task = page.get_by_role("article", name=f"电话老人{tag}").first
    task.wait_for()
    axe(page)
    shot(page, "station-people-calls")
    task.get_by_text("已接通并告知").click()
    task.get_by_label(f"备注 电话老人{tag}").fill("已告知老人志愿者上门时间")
    task.get_by_role("button", name="保存结果").click()
    task.get_by_text("已登记：已接通并告知").wait_for()
    shot(page, "station-people-call-done")


def test_confirm_and_evaluate_by_phone(new_page, api, op, township):
    tag = mark()
    elder = new_elder(api, op, f"评价老人{tag}")
    volunteer = new_volunteer(api, op, f"评价志愿者{tag}")
    description = f"陪同聊天评价 {tag}"
    record = serve(api, op, township, elder, volunteer, description, "app")
    assert record["status"] == "awaiting_confirmation", record

    page = operator_page(new_page)
    page.get_by_role("menuitem", name="电话评价").click()
    page.get_by_role("button", name=f"电话确认 {record['demand_id'][:8]}").click()
    page.get_by_text(f"评价老人{tag}").wait_for()
    axe(page)
    shot(page, "station-people-evaluations")
    page.get_by_role("form", name="电话确认服务").get_by_role("button", name="电话确认服务").click()
    page.get_by_text("已代老人确认服务").wait_for()
    [confirmed] = api.call("GET", f"/api/v1/demands/{record['demand_id']}/records", token=op,
                           expect=200).json()
    assert confirmed["confirmation"] == "phone"

    page.get_by_role("button", name=f"电话评价 {description}").click()
    form = page.get_by_role("form", name="电话评价服务")
    form.get_by_text("4", exact=True).click()
    form.get_by_text("耐心细致").click()
    form.get_by_label("老人的原话").fill("小伙子很耐心")
    form.get_by_role("button", name="电话评价服务").click()
    page.get_by_text("评价已登记").wait_for()
    shot(page, "station-people-evaluated")
