"""The volunteer's phone surface in a real browser (390 × 844, located near the demo station in
石家庄长安区): a demand the station publishes (through the API) shows in the demo volunteer's
(13800000007) task feed; they claim it, check in and out with the browser's location; once the
station has recorded the time (API) they see the minutes in their account, give some to their
verified relative, donate, issue and download their certificate; messages, settings and
eligibility; a resident registering the wish to volunteer without a login, and the station
making them a volunteer. The first screen's JavaScript stays within 300 KB compressed."""
from __future__ import annotations

import datetime as dt
import gzip
import re
import uuid

from console_browser import PHONE, axe, login, shot
from first_path import new_person_numbers, wait_for

VOLUNTEER = "13800000007"
OPERATOR = "13800000005"
TOWNSHIP = "13800000004"
PASSWORD = "Demo@2026"
# the demo station: 石家庄市长安区建北街道育才街88号 (identity's demo data)
STATION = {"latitude": 38.0587, "longitude": 114.5412}
COMMUNITY = "130102001001"  # 育才社区
FIRST_SCREEN_BUDGET = 300 * 1024


def person_id(api, token: str) -> str:
    return api.call("GET", "/api/v1/me", token=token, expect=200).json()["person_id"]


def new_elder(api, operator: str) -> str:
    """An elder of the demo station's community who called by phone: the test's own, so that
    no other test's demand for the same elder, category and time stands in the way."""
    id_number, phone = new_person_numbers("19480308", "female")
    return api.call("POST", "/api/v1/elders", {
        "name": "王秀兰", "id_number": id_number, "phone": phone, "phone_only": True,
        "address": "石家庄市长安区建北街道育才街88号", "region_code": COMMUNITY},
        token=operator, expect=201).json()["person_id"]


def published_demand(api, operator: str, description: str, minutes: int = 60,
                     category: str = "emotional_comfort") -> str:
    """The station submits an elder's demand (taken by phone) and approves it."""
    elder_id = new_elder(api, operator)
    now = dt.datetime.now(dt.UTC)
    demand = api.call("POST", "/api/v1/demands", {
        "elder_id": elder_id, "category": category, "description": description,
        "address": "育才街88号2单元302", "location": {"lat": STATION["latitude"], "lng": STATION["longitude"]},
        "window_start": (now + dt.timedelta(minutes=2)).isoformat(),
        "window_end": (now + dt.timedelta(hours=2)).isoformat(),
        "expected_minutes": minutes, "volunteers_needed": 1, "channel": "phone",
        "funding_source": "issuance"}, token=operator, expect=201).json()
    api.call("POST", f"/api/v1/demands/{demand['demand_id']}/review", {"decision": "approve"},
             token=operator, expect=200)
    return demand["demand_id"]


def in_feed(api, token: str, volunteer_id: str, demand_id: str) -> None:
    """Matching learns of the demand from demand's event: wait until the feed has it."""
    wait_for(lambda: api.call("GET", f"/api/v1/volunteers/{volunteer_id}/feed", token=token,
                              expect=200).json()["items"],
             lambda items: demand_id in [i["demand_id"] for i in items], timeout=60)


def screen(page, name: str) -> None:
    """axe-core on the screen as it is, then a full-page screenshot from the top (the sticky
    header and the fixed tab bar would otherwise be drawn where the page was scrolled to)."""
    axe(page)
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, name)


def zh_minutes(minutes: int) -> str:
    """As the console shows minutes (format.ts formatMinutes, zh-CN)."""
    hours, rest = divmod(minutes, 60)
    parts = ([f"{hours} 小时"] if hours else []) + ([f"{rest} 分钟"] if rest or not hours else [])
    return " ".join(parts)


def first_screen_js(page) -> int:
    """Reload the volunteer's first screen and sum the gzip sizes of the JavaScript it loads."""
    scripts = []

    def seen(response):
        if response.request.resource_type == "script" or response.url.endswith(".js"):
            scripts.append(response)

    page.on("response", seen)
    page.reload()
    page.get_by_role("heading", name="附近可接的任务").wait_for()
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", seen)
    return sum(len(gzip.compress(response.body(), 9)) for response in scripts)


def test_a_volunteer_claims_serves_and_banks_the_hours(new_page, api):
    operator = api.login(OPERATOR, PASSWORD)
    volunteer_token = api.login(VOLUNTEER, PASSWORD)
    volunteer_id = person_id(api, volunteer_token)
    description = f"陪老人聊天、读报（{uuid.uuid4().hex[:8]}）"
    demand_id = published_demand(api, operator, description)
    in_feed(api, volunteer_token, volunteer_id, demand_id)

    page = new_page(viewport=PHONE, geolocation=STATION)
    page.set_default_timeout(40_000)  # the machine is shared: RPCs may be slow
    login(page, VOLUNTEER)
    assert page.url.endswith("/volunteer")
    size = first_screen_js(page)
    print(f"volunteer first screen: {size / 1024:.1f} KB of JavaScript, gzip-compressed")
    assert size <= FIRST_SCREEN_BUDGET, size

    # 任务: the demand is in the feed; claim it
    card = page.locator(f'li[data-demand="{demand_id}"]')
    card.get_by_text("情感慰藉").wait_for()
    screen(page, "volunteer-feed")
    card.get_by_role("button", name="接单").click()
    card.get_by_text("已接单").wait_for()

    # 我的服务: check in and out where the station is
    page.get_by_role("navigation", name="志愿者页面").get_by_role("link", name="我的服务").click()
    service = page.get_by_role("listitem").filter(has_text=description)
    service.get_by_text("待签到").wait_for()
    service.get_by_role("button", name="签到").click()
    service.get_by_text("服务器记录：签到于").wait_for()
    service.get_by_text("38.05870, 114.54120").first.wait_for()
    service.get_by_role("button", name="签退").click()
    service.get_by_text("服务器记录：签退于").wait_for()
    service.get_by_text("等待服务站认定时长").wait_for()
    screen(page, "volunteer-services")
    demand = api.call("GET", f"/api/v1/demands/{demand_id}", token=volunteer_token, expect=200).json()
    [mine] = [a for a in demand["assignments"] if a["volunteer_id"] == volunteer_id]
    assert mine["status"] == "awaiting_record"
    assert abs(mine["check_in_location"]["lat"] - STATION["latitude"]) < 1e-4

    # the station records 47 minutes; seconds of presence hold the record for a second look
    record = api.call("POST", f"/api/v1/demands/{demand_id}/record", {
        "volunteer_id": volunteer_id, "minutes": 47, "confirmation": "phone",
        "note": "电话回访老人确认"}, token=operator, expect=201).json()
    if record["status"] == "held":
        api.call("POST", f"/api/v1/records/{record['record_id']}/release",
                 {"reason": "电话回访老人，确认服务时长"}, token=api.login(TOWNSHIP, PASSWORD),
                 expect=200)

    def statement():
        return api.call("GET", f"/api/v1/accounts/{volunteer_id}/statement", token=volunteer_token,
                        expect=200).json()["items"]

    entries = wait_for(statement, lambda items: any(i["reference"].get("demand_id") == demand_id
                                                    for i in items), timeout=60)
    credited = next(i["amount_minutes"] for i in entries
                    if i["reference"].get("demand_id") == demand_id)  # the region's rounding

    # 时间账户: the minutes, as hours and minutes, in the balance and the statement
    page.get_by_role("navigation", name="志愿者页面").get_by_role("link", name="时间账户").click()
    page.get_by_role("heading", name="可用时长").wait_for()
    page.get_by_text("服务时长入账 · 情感慰藉").first.wait_for()
    page.get_by_text("+" + zh_minutes(credited)).first.wait_for()
    page.get_by_text("累计服务时长").wait_for()
    screen(page, "volunteer-account")

    # 赠与: to the verified relative (唐山, the volunteer's parent), a donation, the certificate
    page.get_by_role("navigation", name="志愿者页面").get_by_role("link", name="赠与").click()
    gift = page.get_by_role("region", name="赠与直系亲属")
    try:  # a screenshot of the page as it was if the relative never shows
        gift.get_by_label("郑秀英").check()
    except Exception:
        shot(page, "volunteer-give-failed")
        raise
    gift.get_by_label("分钟").fill("5")
    gift.get_by_label("留言").fill("给妈妈的时间")
    gift.get_by_role("button", name="确认赠与").click()
    gift.get_by_text("已赠与 郑秀英 5 分钟。").wait_for()
    donate = page.get_by_role("region", name="捐赠到公益时间池")
    donate.get_by_label("分钟").fill("3")
    donate.get_by_role("button", name="确认捐赠").click()
    donate.get_by_text("已捐赠 3 分钟").wait_for()
    certificate = page.get_by_role("region", name="服务记录证明")
    certificate.get_by_role("button", name="出具证明").click()
    certificate.get_by_text("证明编号").wait_for()
    screen(page, "volunteer-give")
    with page.expect_download() as caught:
        certificate.get_by_role("button", name="下载证明 PDF").click()
    download = caught.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    kinds = [i["kind"] for i in statement()[:3]]
    assert "gift_to_relative" in kinds and "donation" in kinds

    # 消息: the credit's message; mark it read
    page.get_by_role("navigation", name="志愿者页面").get_by_role("link", name="消息").click()
    page.get_by_role("heading", name="消息", exact=True).wait_for()
    unread = page.get_by_role("button", name="标为已读").first
    unread.wait_for()
    before = page.get_by_role("button", name="标为已读").count()
    unread.click()
    page.wait_for_function(
        "n => document.querySelectorAll('button[aria-label^=\"标为已读\"]').length < n", arg=before)
    screen(page, "volunteer-inbox")

    # 设置: quiet hours over midnight
    page.get_by_role("link", name="通知设置").click()
    page.get_by_label("开始").fill("22:00")
    page.get_by_label("结束").fill("07:00")
    page.get_by_label("短信").check()
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("通知设置已保存。").wait_for()
    saved = api.call("GET", "/api/v1/preferences", token=volunteer_token, expect=200).json()
    assert saved["quiet_hours"]["start"] == "22:00" and saved["quiet_hours"]["end"] == "07:00"
    assert "sms" in saved["channels"]
    screen(page, "volunteer-settings")

    # 资格: the demo volunteer is eligible; registering is done at a station
    page.goto("/volunteer/eligibility")
    page.get_by_text("您已具备接单资格。").wait_for()
    page.get_by_text("V1301020001").wait_for()
    screen(page, "volunteer-eligibility")


def test_a_check_in_without_location_is_said_in_words(new_page, api):
    """The browser refuses the location: the check-in still goes, and the volunteer is told."""
    operator = api.login(OPERATOR, PASSWORD)
    volunteer_token = api.login(VOLUNTEER, PASSWORD)
    description = f"帮老人取药（{uuid.uuid4().hex[:8]}）"
    demand_id = published_demand(api, operator, description, minutes=30, category="assistance")
    api.call("POST", f"/api/v1/demands/{demand_id}/claim", token=volunteer_token, expect=200)

    page = new_page(viewport=PHONE)  # no geolocation permission
    login(page, VOLUNTEER)
    page.goto("/volunteer/services")
    service = page.get_by_role("listitem").filter(has_text=description)
    service.get_by_role("button", name="签到").click()
    service.get_by_text("您没有允许获取位置").wait_for()
    service.get_by_text("服务器记录：签到于").wait_for()
    service.get_by_text("未提供位置").wait_for()
    screen(page, "volunteer-services-no-location")
    demand = api.call("GET", f"/api/v1/demands/{demand_id}", token=volunteer_token, expect=200).json()
    assert demand["status"] == "in_service"
    page.get_by_role("button", name="English").click()  # the same screen in English
    service.get_by_text("In service").wait_for()
    page.get_by_role("navigation", name="Volunteer pages").get_by_role("link", name="My services").wait_for()
    # leave no service under way for the demo volunteer (an active one blocks overlapping claims)
    api.call("POST", f"/api/v1/demands/{demand_id}/check-out", {}, token=volunteer_token, expect=200)


def test_where_i_help_ranks_the_feed_by_distance(new_page, api):
    """A new volunteer (registered by the station) sets their place from the browser's location
    and a radius; the feed then shows how far a task near the station is."""
    operator = api.login(OPERATOR, PASSWORD)
    id_number, phone = new_person_numbers("19950620", "female")
    volunteer = api.call("POST", "/api/v1/volunteers", {
        "name": "陈思雨", "id_number": id_number, "phone": phone, "region_code": COMMUNITY,
        "volunteer_number": f"V{phone}", "initial_password": "Volunteer@2026",
        "registry_status": "verified", "screening": "clear", "health_declared": True,
        "training_hours_completed": 8}, token=operator, expect=201).json()
    nearby = {"latitude": STATION["latitude"] + 0.004, "longitude": STATION["longitude"]}
    page = new_page(viewport=PHONE, geolocation=nearby)
    login(page, phone, "Volunteer@2026")
    page.goto("/volunteer/settings")
    where = page.get_by_role("region", name="服务地点与范围")
    where.get_by_text("尚未设置").wait_for()
    where.get_by_role("button", name="使用我现在的位置").click()
    where.get_by_text("38.06270, 114.54120").wait_for()
    where.get_by_label("服务范围").select_option(label="3 公里以内")
    where.get_by_role("button", name="保存服务地点").click()
    where.get_by_text("服务地点已保存").wait_for()
    screen(page, "volunteer-settings-where")

    description = f"陪老人散步（{uuid.uuid4().hex[:8]}）"
    demand_id = published_demand(api, operator, description, category="outing_companion")
    token = api.login(phone, "Volunteer@2026")
    in_feed(api, token, volunteer["person_id"], demand_id)
    page.get_by_role("navigation", name="志愿者页面").get_by_role("link", name="任务").click()
    card = page.locator(f'li[data-demand="{demand_id}"]')
    card.get_by_text("距离").wait_for()
    card.get_by_text(re.compile(r"^4[45]0 m$")).wait_for()  # 0.004° of latitude: ~445 m


def test_a_resident_registers_interest_and_the_station_makes_them_a_volunteer(new_page, api):
    """我要当志愿者 without a login (from the login screen): the form says what is missing,
    the community is picked down the division tree, the answer gives the reference and what
    eligibility needs in words; the station sees the wish, opens the registration form
    prefilled, and the wish is marked registered."""
    id_number, phone = new_person_numbers("19960315", "male")
    name = f"周志远{uuid.uuid4().hex[:4]}"
    page = new_page(viewport=PHONE)
    page.goto("/login")
    page.get_by_role("link", name="我要当志愿者").click()
    page.get_by_role("heading", name="我要当志愿者").wait_for()
    page.get_by_role("button", name="提交意向").click()
    page.get_by_text("请填写姓名（1 至 100 字）").wait_for()
    page.get_by_text("请输入 11 位手机号").wait_for()
    page.get_by_text("请选择到社区（村）一级").wait_for()
    screen(page, "volunteer-join")

    page.get_by_label("姓名").fill(name)
    page.get_by_label("手机号").fill(phone)
    for level, code in (("市", "130100000000"), ("县（市、区）", "130102000000"),
                        ("乡镇（街道）", "130102001000"), ("社区（村）", COMMUNITY)):
        select = page.get_by_label(level, exact=True)
        select.locator(f"option[value='{code}']").wait_for(state="attached")
        select.select_option(code)
    page.get_by_label("特长或能提供的帮助").fill("会理发、会用智能手机")
    page.get_by_role("button", name="提交意向").click()
    page.get_by_text("已收到您的志愿服务意向").wait_for()
    reference = page.get_by_test_id("join-reference").inner_text()
    assert re.fullmatch(r"ZY\d{8}-[0-9A-Z]{5}", reference)
    page.get_by_text("完成8小时培训").wait_for()
    page.get_by_text("签署健康状况自我声明").wait_for()
    screen(page, "volunteer-join-received")

    desk = new_page()
    login(desk, OPERATOR)
    desk.goto("/station/interest")
    desk.get_by_role("cell", name=reference).wait_for()
    axe(desk)
    shot(desk, "station-interest")
    desk.get_by_role("button", name=f"登记为志愿者 {name}").click()
    desk.get_by_role("heading", name="登记志愿者").wait_for()
    desk.get_by_text(f"根据志愿意向 {reference} 登记").wait_for()
    assert desk.get_by_label("手机号").input_value() == phone  # read unmasked, audited
    assert desk.get_by_label("姓名").input_value() == name
    desk.get_by_label("身份证号").fill(id_number)
    desk.get_by_label("初始密码").fill("Volunteer@2026")
    axe(desk)
    desk.get_by_role("button", name="登记志愿者").click()
    desk.wait_for_url(re.compile(r"/station/people/volunteers/[0-9a-f-]{36}$"))
    volunteer_id = desk.url.rsplit("/", 1)[1]

    operator = api.login(OPERATOR, PASSWORD)
    wishes = api.call("GET", "/api/v1/volunteer-interest?status=registered&page_size=100",
                      token=operator, expect=200).json()["items"]
    [wish] = [w for w in wishes if w["reference"] == reference]
    assert wish["person_id"] == volunteer_id
