"""The supervisor surface: the dashboard of a region with drill-down one level at a time
(township to its communities, county to its townships), the audit log and the dispute queue."""
from __future__ import annotations

import re

from console_browser import axe, login, shot

TOWNSHIP_ADMIN = "13800000004"  # 建北街道 (130102001000)
COUNTY_ADMIN = "13800000003"  # 长安区 (130102000000)
PROVINCE_ADMIN = "13800000001"
ELDER = "13800000008"


def test_the_township_admin_drills_from_the_township_to_its_communities(new_page):
    page = new_page()
    login(page, TOWNSHIP_ADMIN)
    page.wait_for_url("**/supervisor")
    page.get_by_role("heading", name="建北街道监管看板").wait_for()
    page.get_by_text("注册志愿者").first.wait_for()
    page.get_by_text("服务老人数").wait_for()  # issue 14: distinct elders served
    page.get_by_role("heading", name="下级区域").wait_for()
    page.locator("canvas").first.wait_for()
    axe(page)
    shot(page, "supervisor-dashboard-township")

    page.get_by_role("link", name="查看育才社区居委会").click()
    page.wait_for_url("**/supervisor/130102001001")
    page.get_by_role("heading", name="育才社区居委会监管看板").wait_for()
    page.get_by_text("这是最基层的区域，没有下级。").wait_for()
    breadcrumb = page.get_by_role("navigation", name="区域层级")
    assert "建北街道" in breadcrumb.inner_text()
    axe(page)
    shot(page, "supervisor-dashboard-community")

    breadcrumb.get_by_text("建北街道").click()
    page.get_by_role("heading", name="建北街道监管看板").wait_for()


def test_the_county_admin_drills_from_the_county_to_its_townships(new_page):
    page = new_page()
    login(page, COUNTY_ADMIN)
    page.get_by_role("heading", name="长安区监管看板").wait_for()
    page.get_by_role("link", name="查看建北街道").click()
    page.wait_for_url("**/supervisor/130102001000")
    page.get_by_role("heading", name="建北街道监管看板").wait_for()
    page.get_by_role("link", name="查看育才社区居委会").wait_for()
    axe(page)
    shot(page, "supervisor-dashboard-county-to-township")


def test_the_province_admin_sees_the_interchange_between_cities(new_page):
    page = new_page()
    login(page, PROVINCE_ADMIN)
    page.goto("/supervisor")
    page.get_by_role("heading", name=re.compile("监管看板")).wait_for()
    page.get_by_role("heading", name="通存通兑").wait_for()
    page.get_by_role("link", name=re.compile("查看石家庄")).wait_for()
    axe(page)
    shot(page, "supervisor-dashboard-province")


def test_the_audit_log_shows_entries_and_their_changes(new_page, api):
    township = api.login(TOWNSHIP_ADMIN, "Demo@2026")
    elder = api.call("GET", "/api/v1/me", token=api.login(ELDER, "Demo@2026"), expect=200).json()
    # reading an elder's full details is audited (read_unmasked) in the township's scope
    api.call("GET", f"/api/v1/elders/{elder['person_id']}?unmasked=true", token=township, expect=200)

    page = new_page()
    login(page, TOWNSHIP_ADMIN)
    page.get_by_role("menuitem", name="审计日志").click()
    page.wait_for_url("**/supervisor/audit")
    page.get_by_role("heading", name="审计日志").wait_for()
    page.get_by_role("cell", name="查看完整个人信息").first.wait_for()

    page.get_by_label("操作类型").click()
    page.get_by_role("option", name="查看完整个人信息").click()
    page.get_by_role("button", name="查询").click()
    rows = page.locator(".el-table__body tr.el-table__row")
    rows.first.wait_for()
    assert all("查看完整个人信息" in text for text in rows.all_inner_texts())
    rows.first.locator(".el-table__expand-icon").click()
    page.get_by_role("heading", name="变更后").first.wait_for()
    axe(page)
    shot(page, "supervisor-audit")


def test_the_dispute_queue_opens_for_the_township(new_page):
    page = new_page()
    login(page, TOWNSHIP_ADMIN)
    page.get_by_role("menuitem", name="纠纷处理").click()
    page.wait_for_url("**/supervisor/disputes")
    page.get_by_role("heading", name="纠纷处理").wait_for()
    page.get_by_role("status").filter(has_text="共").wait_for()
    axe(page)
    shot(page, "supervisor-disputes")
