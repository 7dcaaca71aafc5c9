"""The administrator's surface: a municipal API client created and its secret rotated in the
page (the new secret works for POST /api/v1/auth/token, the old one no longer), a staff role
granted, a catalogue entry edited and withdrawn, and the policy and template screens."""
from __future__ import annotations

import random
import uuid

from console_browser import DEMO_PASSWORD, axe, login, shot

PROVINCE_ADMIN = "13800000001"


def id_number(birth: str = "19850307") -> str:
    """A valid 18-digit resident ID number of 长安区 with a random sequence."""
    body = f"130102{birth}{random.randint(100, 999)}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def token_status(api, client_id: str, secret: str) -> int:
    return api.call("POST", "/api/v1/auth/token",
                    {"client_id": client_id, "client_secret": secret}).status_code


def test_the_province_admin_rotates_an_api_client_secret(new_page, api):
    client_id = f"t-{uuid.uuid4().hex[:10]}"
    page = new_page()
    login(page, PROVINCE_ADMIN)
    page.goto("/admin/clients")
    page.get_by_role("heading", name="API 客户端（市级系统）").wait_for()
    page.get_by_role("cell", name="sjz-civil-affairs", exact=True).wait_for()
    page.get_by_label("系统名称").fill(f"测试市级系统 {client_id}")
    page.get_by_label("所属市级单位（区划代码）").fill("130100000000")
    page.get_by_label("客户端标识（选填").fill(client_id)
    page.get_by_role("button", name="接入市级系统").click()
    page.get_by_role("heading", name=f"{client_id} 的新密钥").wait_for()
    first_secret = page.get_by_test_id("client-secret").inner_text().strip()
    assert first_secret and token_status(api, client_id, first_secret) == 200
    page.get_by_role("button", name="我已保存，隐藏密钥").click()

    page.get_by_role("button", name=f"更换密钥 {client_id}").click()
    page.get_by_text("旧密钥在").wait_for()  # ... 前仍可使用 (7 days, the default)
    secret = page.get_by_test_id("client-secret")
    page.wait_for_function(
        "([el, old]) => el.textContent.trim() && el.textContent.trim() !== old",
        arg=[secret.element_handle(), first_secret])
    new_secret = secret.inner_text().strip()
    axe(page)
    shot(page, "admin-clients-rotated")

    assert token_status(api, client_id, new_secret) == 200
    assert token_status(api, client_id, first_secret) == 200  # until its end, or ended here
    page.get_by_role("button", name="我已保存，隐藏密钥").click()
    page.get_by_role("button", name=f"停用旧密钥 {client_id}").click()
    page.get_by_text(f"已停用 {client_id} 的旧密钥").wait_for()
    assert token_status(api, client_id, first_secret) in (400, 401, 403)
    assert token_status(api, client_id, new_secret) == 200


def test_the_province_admin_grants_a_staff_role(new_page, api):
    name = f"测试{uuid.uuid4().hex[:4]}"
    phone = f"139{random.randint(10_000_000, 99_999_999)}"
    page = new_page()
    login(page, PROVINCE_ADMIN)
    page.goto("/admin")
    page.wait_for_url("**/admin/operators")
    page.get_by_role("heading", name="工作人员", exact=True).wait_for()
    page.get_by_role("cell", name="赵建国").first.wait_for()
    page.get_by_label("姓名").fill(name)
    page.get_by_label("手机号（登录账号）").fill(phone)
    page.get_by_label("身份证号").fill(id_number())
    page.get_by_label("居住地区划代码").fill("130102001001")
    page.get_by_label("角色", exact=True).click(force=True)
    page.get_by_role("option", name="乡镇管理员").click()
    page.get_by_label("管辖范围（区划代码）").fill("130102001000")
    page.get_by_label("初始密码").fill("Start@2026x")
    page.get_by_role("button", name="设立工作人员").click()
    page.get_by_role("status").filter(has_text=f"已设立：{name}（乡镇管理员）").wait_for()
    axe(page)
    shot(page, "admin-operators")

    token = api.login(phone, "Start@2026x")
    me = api.call("GET", "/api/v1/me", token=token, expect=200).json()
    assert me["roles"] == ["township_admin"] and me["scope"] == "130102001000"


def test_the_province_admin_edits_a_catalogue_entry(new_page, api):
    code = f"t_{uuid.uuid4().hex[:8]}"
    admin = api.login(PROVINCE_ADMIN, DEMO_PASSWORD)
    api.call("POST", "/api/v1/catalog", {"code": code, "name_zh": f"测试类别{code[-4:]}",
                                          "name_en": f"Test {code}", "default_minutes": 60},
             token=admin, expect=201)
    page = new_page()
    login(page, PROVINCE_ADMIN)
    page.goto("/admin/catalog")
    page.get_by_role("heading", name="服务目录").wait_for()
    page.get_by_role("button", name=f"修改 测试类别{code[-4:]}").click()
    page.get_by_role("heading", name=f"修改 测试类别{code[-4:]}").wait_for()
    page.get_by_label("英文名称").fill(f"Edited {code}")
    page.get_by_label("默认时长（分钟）").fill("90")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("status").filter(has_text=f"已保存：测试类别{code[-4:]}").wait_for()
    page.get_by_role("cell", name=f"Edited {code}", exact=True).wait_for()
    page.get_by_text("default_minutes: 60 → 90").first.wait_for()
    axe(page)
    shot(page, "admin-catalog")

    entry = next(c for c in api.call("GET", "/api/v1/catalog?include_inactive=true", token=admin,
                                     expect=200).json()["categories"] if c["code"] == code)
    assert entry["name_en"] == f"Edited {code}" and entry["default_minutes"] == 90

    # withdraw it again, so that it is offered nowhere
    page.get_by_role("button", name=f"修改 测试类别{code[-4:]}").click()
    page.get_by_text("启用", exact=True).click()
    page.get_by_role("button", name="保存").click()
    page.get_by_role("status").filter(has_text="已保存").wait_for()
    row = page.get_by_role("row").filter(has_text=f"Edited {code}")
    row.get_by_text("已停用").wait_for()


def test_the_policy_and_template_screens(new_page):
    page = new_page()
    login(page, PROVINCE_ADMIN)
    page.goto("/admin/policies")
    page.get_by_role("heading", name="区域政策").wait_for()
    page.get_by_role("cell", name="每人每年记录上限（分钟）").wait_for()
    axe(page)
    shot(page, "admin-policies")

    page.get_by_role("menuitem", name="通知模板").click()
    page.get_by_role("heading", name="通知模板").wait_for()
    page.get_by_role("cell", name="assignment_no_show").first.wait_for()
    page.get_by_role("button", name="修改 assignment_no_show elder zh-CN").click()
    page.get_by_role("heading", name="修改模板：assignment_no_show · 老年人 · 中文").wait_for()
    axe(page)
    shot(page, "admin-templates")
