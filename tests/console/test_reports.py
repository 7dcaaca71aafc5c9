"""报表: a province admin reads the series and the breakdown of the 14 city-level units from
reporting's read model (fed by the demo data's registrations and a service recorded in 石家庄
over HTTP), drills into a city by clicking its row and changes the period to quarters."""
from __future__ import annotations

import datetime as dt
import re
import time
from zoneinfo import ZoneInfo

from console_browser import axe, login, shot
from first_path import run_path

PROVINCE_ADMIN = "13800000001"
SHIJIAZHUANG = "130100000000"


def _figures_arrived(api, token: str, credited: int) -> dict:
    """reporting's breakdown of the province once the demo's registrations and at least
    ``credited`` minutes credited in 石家庄 are in it."""
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    query = {"region_code": "130000000000", "from": (today - dt.timedelta(days=360)).isoformat(),
             "to": today.isoformat()}
    deadline = time.monotonic() + 90
    while True:
        answer = api.call("GET", "/api/v1/reports/breakdown", token=token, params=query, expect=200).json()
        rows = {row["region_code"]: row["values"] for row in answer["rows"]}
        city = rows.get(SHIJIAZHUANG, {})
        if city.get("volunteers_registered") and city.get("minutes_credited", 0) >= credited:
            return rows
        assert time.monotonic() < deadline, f"reporting has not absorbed the demo data: {answer}"
        time.sleep(0.5)


def test_the_province_admin_reads_the_reports_drills_into_a_city_and_changes_the_period(
        new_page, api, demo_accounts):
    province = api.login(PROVINCE_ADMIN, "Demo@2026")
    before = _figures_arrived(api, province, 0)[SHIJIAZHUANG].get("minutes_credited", 0)
    run_path(api, demo_accounts, minutes=90)  # a service in 长安区, credited 90 minutes
    city = _figures_arrived(api, province, before + 90)[SHIJIAZHUANG]
    assert city["services_recorded"] >= 1

    page = new_page()
    login(page, PROVINCE_ADMIN)
    page.get_by_role("menuitem", name="报表").click()
    page.wait_for_url("**/supervisor/reports")
    page.get_by_role("heading", name="河北省统计报表").wait_for()
    page.get_by_text(re.compile(r"数据截至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}（落后 .+）")).wait_for()
    page.get_by_role("img", name=re.compile("人员各期趋势图")).locator("canvas").wait_for()

    table = page.locator(".tb-breakdown")
    body_rows = table.locator(".el-table__body tr.el-table__row")
    body_rows.nth(13).wait_for()
    assert body_rows.count() == 14  # 11 cities, 辛集, 定州 and 雄安
    row = body_rows.filter(has=page.get_by_role("link", name="查看石家庄市"))
    header = [cell.strip() for cell in table.locator(".el-table__header th").all_inner_texts()]
    cells = [cell.strip() for cell in row.locator("td").all_inner_texts()]
    assert cells[header.index("新注册志愿者")] == f"{city['volunteers_registered']:,}"
    assert cells[header.index("服务记录")] == f"{city['services_recorded']:,}"
    assert cells[header.index("服务时长（时）")] == f"{round(city['service_minutes'] / 60, 1):,.1f}"  # hours
    page.get_by_role("img", name=re.compile("时长各期趋势图")).locator("canvas").wait_for()
    axe(page)
    shot(page, "supervisor-reports-province")

    row.locator("td").nth(1).click()  # a click on the row drills down
    page.wait_for_url(f"**/supervisor/reports/{SHIJIAZHUANG}")
    page.get_by_role("heading", name="石家庄市统计报表").wait_for()
    page.get_by_role("link", name="查看长安区").wait_for()
    assert "河北省" in page.get_by_role("navigation", name="区域层级").inner_text()

    with page.expect_response(lambda r: "/api/v1/reports/series" in r.url and "period=quarter" in r.url) as answer:
        page.get_by_role("radio", name="季").click(force=True)
    assert answer.value.ok
    quarters = [row["period"] for row in answer.value.json()["rows"]]
    assert quarters and all(re.fullmatch(r"\d{4}-Q[1-4]", p) for p in quarters), quarters
    page.wait_for_url(re.compile(r"period=quarter"))
    page.get_by_role("img", name=re.compile("人员各期趋势图")).locator("canvas").wait_for()
    axe(page)
    shot(page, "supervisor-reports-city-quarter")


def test_a_span_too_long_for_its_period_is_explained_and_english_reads_the_same(new_page):
    page = new_page()
    login(page, PROVINCE_ADMIN)
    page.goto("/supervisor/reports?period=day&from=2025-01-01&to=2026-06-30&measures=services_recorded")
    page.get_by_role("alert").filter(has_text="一次最多查询 400 个周期").wait_for()
    axe(page)
    page.get_by_role("radio", name="月").click(force=True)
    page.get_by_role("heading", name="下级区域").wait_for()
    assert page.get_by_role("alert").count() == 0
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Hebei Province — reports").or_(
        page.get_by_role("heading", name="河北省 — reports")).wait_for()
    page.get_by_role("heading", name="Regions below").wait_for()
    page.get_by_text(re.compile(r"Figures as of \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(.+ behind\)")).wait_for()
    axe(page)
    shot(page, "supervisor-reports-english")
