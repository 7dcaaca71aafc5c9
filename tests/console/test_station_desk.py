"""The station operator's demand day in the console (desktop): a phone call taken for the demo
elder found by phone and for a newly registered elder, reviewed until published; a served
demand recorded, and a held record given its second look — driven like a person, set up
through the HTTP API only where it is not the point."""
from __future__ import annotations

import datetime as dt
import re
import sys
import uuid
from pathlib import Path

from console_browser import axe, login, shot

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from first_path import new_person_numbers  # noqa: E402

OPERATOR = "13800000005"
TOWNSHIP = "13800000004"
ELDER_PHONE = "13800000008"
CHINA = dt.timezone(dt.timedelta(hours=8))


def a_free_day(offset: int) -> str:
    """A China date some days ahead (tests share the demo elder: keep windows apart)."""
    return (dt.datetime.now(CHINA) + dt.timedelta(days=offset)).date().isoformat()


def desk_page(new_page):
    """A desktop page with patience: the platform shares two CPUs with other test runs, and
    every login hashes a password (argon2)."""
    page = new_page()
    page.set_default_timeout(60_000)
    return page


_tokens: dict[str, str] = {}


def token_of(api, phone: str) -> str:
    """One API login per demo account for the module (logins are slow on a busy machine)."""
    if phone not in _tokens:
        _tokens[phone] = api.login(phone, "Demo@2026")
    return _tokens[phone]


def choose_option(page, label: str, option: str) -> None:
    combobox = page.get_by_role("combobox", name=label)
    page.locator(".el-select").filter(has=combobox).click()
    page.get_by_role("option", name=option, exact=True).click()


def take_demand(page, description: str, day: str, funding: str | None = None) -> str:
    """Fill the demand form of the intake screen and submit it; the demand's id."""
    choose_option(page, "服务类别", "情感慰藉")
    page.get_by_label("服务日期").fill(day)
    page.get_by_label("开始时间").fill("09:00")
    page.get_by_label("结束时间").fill("11:00")
    page.get_by_label("预计时长（分钟）").fill("90")
    page.get_by_label("服务地址").fill("育才街18号2单元102")
    page.get_by_label("需求描述").fill(description)
    if funding:
        page.get_by_text(funding, exact=True).click()
    page.get_by_role("button", name="提交需求").click()
    page.get_by_text("需求已提交，等待审核").wait_for()
    axe(page)
    page.get_by_role("link", name="去审核").click()
    page.wait_for_url(re.compile(r"/station/review\?demand="))
    return page.url.split("demand=")[1]


def test_a_phone_call_from_the_demo_elder_is_taken_and_published(new_page, api):
    page = desk_page(new_page)
    login(page, OPERATOR)
    page.get_by_role("heading", name="今日工作").wait_for()
    page.get_by_text("待审核需求").wait_for()
    axe(page)
    shot(page, "station-desk-home")

    page.get_by_role("menuitem", name="电话受理").click()
    page.get_by_role("heading", name="电话受理").wait_for()
    axe(page)
    page.get_by_label("老人手机号").fill(ELDER_PHONE)
    page.get_by_role("button", name="查找").click()
    page.get_by_role("button", name="选择 王桂兰").click()
    page.get_by_text("为 王桂兰 受理").wait_for()
    description = f"电话：陪王奶奶聊天读报 {uuid.uuid4().hex[:8]}"
    shot(page, "station-desk-intake")
    demand_id = take_demand(page, description, a_free_day(3 + uuid.uuid4().int % 40))

    # the review screen opens the demand with its checks
    page.get_by_text("真实性核查").wait_for()
    page.get_by_text("受理渠道：电话").wait_for()
    page.get_by_text("无需核对余额").wait_for()
    row = page.get_by_role("row").filter(has_text=description)
    row.get_by_text(re.compile("剩余 (23|24) 小时")).wait_for()
    axe(page)
    shot(page, "station-desk-review")
    page.get_by_role("button", name="批准发布").click()
    page.get_by_text("已批准，需求已发布").wait_for()
    assert page.get_by_role("row").filter(has_text=description).count() == 0

    token = token_of(api, OPERATOR)
    shown = api.call("GET", f"/api/v1/demands/{demand_id}", token=token, expect=200).json()
    assert shown["status"] == "published" and shown["channel"] == "phone"
    assert shown["funding_source"] == "issuance"

    # the published demand: its history, candidates and the area's dispatch
    page.get_by_role("link", name="查看需求").click()
    page.get_by_role("heading", name="候选志愿者").wait_for()
    page.get_by_text("已发布").first.wait_for()
    page.get_by_role("button", name="生成派单建议").click()
    page.get_by_text(re.compile(r"共 \d+ 条需求")).wait_for()
    axe(page)
    shot(page, "station-desk-demand")


def test_a_new_elder_is_registered_on_the_phone_and_their_own_hours_fall_short(new_page, api):
    page = desk_page(new_page)
    login(page, OPERATOR)
    page.goto("/station/intake")
    name = "韩" + "秀" + "珍"
    id_number, phone = new_person_numbers("19490612", "female")
    page.get_by_text("按姓名", exact=True).click()
    page.get_by_label("老人姓名（开头几个字）").fill(name + uuid.uuid4().hex[:4])
    page.get_by_role("button", name="查找").click()
    page.get_by_text("没有找到这位老人").wait_for()
    page.get_by_label("姓名", exact=True).fill(name)
    page.get_by_label("身份证号").fill(id_number)
    page.get_by_label("老人手机号（选填）").fill(phone)
    page.get_by_label("居住地址").fill("石家庄市长安区建北街道育才街20号")
    choose_option(page, "所在社区", "育才社区居委会")
    axe(page)
    shot(page, "station-desk-intake-register")
    page.get_by_role("button", name="登记并选择").click()
    page.get_by_text(f"为 {name} 受理").wait_for()
    description = f"电话：陪同去社区医院取药 {uuid.uuid4().hex[:8]}"
    demand_id = take_demand(page, description, a_free_day(2), funding="老人自有时长")

    page.get_by_text("缺少 1 小时 30 分钟").wait_for()
    page.get_by_label("补足理由").fill("老人自有时长不足，电话确认同意由公共时长补足")
    axe(page)
    shot(page, "station-desk-review-shortfall")
    page.get_by_role("button", name="批准发布").click()
    page.get_by_text("已批准，需求已发布").wait_for()

    token = token_of(api, OPERATOR)
    shown = api.call("GET", f"/api/v1/demands/{demand_id}", token=token, expect=200).json()
    assert (shown["status"], shown["funding_source"], shown["funding_shortfall_minutes"]) == (
        "published", "own_hours", 90)
    assert shown["fallback_reason"].startswith("老人自有时长不足")



# --- journey (b): a served demand is recorded, and a held record gets its second look ---------
STATION_REGION = "130102001001"  # 育才社区
PLACE = {"lat": 38.05, "lng": 114.52}
FAR = {"lat": 38.10, "lng": 114.52}  # about 5.5 km north
PASSWORD = "Desk@2026"


def register_volunteer(api, operator: str, name: str) -> dict:
    id_number, phone = new_person_numbers("19920512", "male")
    volunteer = api.call("POST", "/api/v1/volunteers", {
        "name": name, "id_number": id_number, "phone": phone, "region_code": STATION_REGION,
        "volunteer_number": f"V{phone}", "initial_password": PASSWORD,
        "registry_status": "verified", "screening": "clear", "health_declared": True,
        "training_hours_completed": 8}, token=operator, expect=201).json()
    volunteer["token"] = api.login(phone, PASSWORD)
    return volunteer


def served_demand(api, operator: str, elder_id: str, volunteer: dict, category: str,
                  description: str, check_in: dict, check_out: dict) -> str:
    """A demand starting in a few minutes, approved, claimed, checked in and out."""
    now = dt.datetime.now(dt.UTC)
    demand = api.call("POST", "/api/v1/demands", {
        "elder_id": elder_id, "category": category, "description": description,
        "address": "育才街20号3单元201", "location": PLACE,
        "window_start": (now + dt.timedelta(minutes=10)).isoformat(),
        "window_end": (now + dt.timedelta(minutes=70)).isoformat(),
        "expected_minutes": 30, "channel": "phone"}, token=operator, expect=201).json()
    demand_id = demand["demand_id"]
    api.call("POST", f"/api/v1/demands/{demand_id}/review", {"decision": "approve"},
             token=operator, expect=200)
    api.call("POST", f"/api/v1/demands/{demand_id}/claim", token=volunteer["token"], expect=200)
    api.call("POST", f"/api/v1/demands/{demand_id}/check-in", check_in,
             token=volunteer["token"], expect=200)
    api.call("POST", f"/api/v1/demands/{demand_id}/check-out", check_out,
             token=volunteer["token"], expect=200)
    return demand_id


def test_served_demands_are_recorded_and_a_held_record_gets_a_second_look(new_page, api):
    operator = token_of(api, OPERATOR)
    id_number, phone = new_person_numbers("19480918", "male")
    elder = api.call("POST", "/api/v1/elders", {
        "name": "高振国", "id_number": id_number, "phone": phone, "phone_only": True,
        "address": "石家庄市长安区建北街道育才街20号", "region_code": STATION_REGION},
        token=operator, expect=201).json()
    first, second = (register_volunteer(api, operator, "宋立新"),
                     register_volunteer(api, operator, "邓海波"))
    mark = uuid.uuid4().hex[:8]
    clean = served_demand(api, operator, elder["person_id"], first, "emotional_comfort",
                          f"陪高大爷下棋 {mark}", PLACE, PLACE)
    odd = served_demand(api, operator, elder["person_id"], second, "assistance",
                        f"帮高大爷取快递 {mark}", {}, FAR)

    page = desk_page(new_page)
    login(page, OPERATOR)
    page.get_by_role("menuitem", name="今日服务").click()
    row = page.get_by_role("row").filter(has_text="育才街20号3单元201").filter(has_text="邓海波")
    row.get_by_text("待记录").wait_for()
    axe(page)
    shot(page, "station-desk-today")

    # the clean service: recorded, confirmed by phone, credited
    page.get_by_role("menuitem", name="服务记录").click()
    page.get_by_role("button", name=f"记录 陪高大爷下棋 {mark}").click()
    page.get_by_label("认定时长（分钟）").fill("30")
    page.get_by_text("即 30 分钟").wait_for()
    page.get_by_role("button", name="记录时长", exact=True).click()
    page.get_by_text("已记录 宋立新 30 分钟").wait_for()
    page.get_by_text("已入账").wait_for()

    # the other: no location at check-in, checked out 5.5 km away — held, flags explained
    page.get_by_role("button", name=f"记录 帮高大爷取快递 {mark}").click()
    page.get_by_label("认定时长（分钟）").fill("30")
    page.get_by_role("button", name="记录时长", exact=True).click()
    page.get_by_text("已记录 邓海波 30 分钟").wait_for()
    page.get_by_text("已暂缓入账").wait_for()
    page.get_by_text("签到时手机没有上报位置").wait_for()
    page.get_by_text(re.compile(r"签退地点离老人家约 \d+ 米")).first.wait_for()
    axe(page)
    shot(page, "station-desk-record")

    # the recorder cannot give the second look; the township admin does, in the console
    page.get_by_role("menuitem", name="待复核").click()
    mine = page.get_by_role("article").filter(has_text="邓海波").filter(has_text="签退地点离老人家太远")
    mine.first.get_by_text("这条记录是您记录的").wait_for()

    township = desk_page(new_page)
    login(township, TOWNSHIP)
    township.goto("/station/held")
    held = township.get_by_role("article").filter(has_text="邓海波").filter(
        has_text="签退地点离老人家太远").filter(has_text="高振国")
    held.get_by_text("缺少定位").wait_for()
    axe(township)
    shot(township, "station-desk-held")
    held.get_by_label("复核意见").fill("电话核实：老人确认志愿者上门，签退时已在回家路上")
    held.get_by_role("button", name="核实无误，放行").click()
    township.get_by_text("邓海波 30 分钟：已放行").wait_for()

    records = api.call("GET", f"/api/v1/demands/{odd}/records", token=operator, expect=200).json()
    assert [r["status"] for r in records] == ["sent"]
    assert {f["code"] for f in records[0]["flags"]} >= {"location_missing",
                                                       "checkout_far_from_address"}
    records = api.call("GET", f"/api/v1/demands/{clean}/records", token=operator,
                       expect=200).json()
    assert [(r["status"], r["minutes"]) for r in records] == [("sent", 30)]

    # the demand shows its volunteer, check-in/out and record
    page.goto(f"/station/demands/{clean}")
    page.get_by_role("heading", name="服务记录").wait_for()
    page.get_by_text("宋立新：30 分钟 · 已入账").wait_for()
    axe(page)
    shot(page, "station-desk-demand-recorded")
