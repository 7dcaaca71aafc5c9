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
