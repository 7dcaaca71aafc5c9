"""修改密码: a login with a one-time password (the province admin's, reset by
``identity.commands.bootstrap_admin --reset-password`` against the platform's identity database,
as an operator recovers a lost first admin) is taken to the password page with its notice,
whatever it opens; the console checks the form, shows the server's own refusal, and after the
change sends the person to the login screen, where the new password opens the console."""
from __future__ import annotations

import re
import subprocess

import pytest

from console_browser import DEMO_PASSWORD, ROOT, axe, login, shot

PROVINCE_ADMIN, NAME = "13800000001", "赵建国"
NEW_PASSWORD = "Hebei#Admin-2026"
FORCED = re.compile(r"/password\?required=1$")


def reset_to_one_time_password(platform) -> str:
    """What the operator runs: a new one-time password for the province admin, printed once."""
    done = subprocess.run(
        [platform.python, "-m", "identity.commands.bootstrap_admin", "--reset-password",
         "--phone", PROVINCE_ADMIN],
        cwd=ROOT, env=platform.base_env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    found = re.findall(r"one-time password: (\S+)", done.stdout)
    assert len(found) == 1, done.stdout
    return found[0]


@pytest.fixture
def one_time_password(platform, api):
    password = reset_to_one_time_password(platform)
    yield password
    # the other console tests log the demo province admin in with the demo password: put it back
    for current in (NEW_PASSWORD, password):
        answer = api.call("POST", "/api/v1/auth/login", {"phone": PROVINCE_ADMIN, "password": current})
        if answer.status_code == 200:
            api.call("POST", "/api/v1/auth/password",
                     {"current_password": current, "new_password": DEMO_PASSWORD},
                     token=answer.json()["access_token"], expect=200)
            break


def test_a_one_time_password_is_changed_before_anything_else(new_page, one_time_password, api):
    page = new_page()
    login(page, PROVINCE_ADMIN, one_time_password)
    page.wait_for_url(FORCED)
    page.get_by_text("首次登录请先修改密码").wait_for()
    # whatever the person opens (a reload: the session cookie, /me answered 403), the page holds
    page.goto("/supervisor")
    page.wait_for_url(FORCED)
    page.get_by_role("heading", name="修改密码").wait_for()
    axe(page)
    shot(page, "password-required")

    # the console's own checks: too short, and the repeat differs
    page.get_by_label("当前密码（一次性密码）").fill(one_time_password)
    page.get_by_label("新密码", exact=True).fill("Ab1")
    page.get_by_label("再次输入新密码").fill("Ab2")
    page.get_by_role("button", name="确认修改").click()
    field_errors = page.locator(".el-form-item__error")
    field_errors.filter(has_text="新密码至少需要 8 位").wait_for()
    field_errors.filter(has_text="两次输入的新密码不一致").wait_for()
    # said at once to a screen reader, too
    assert "两次输入的新密码不一致" in page.locator(".tb-sr-only[role=alert]").inner_text()
    shot(page, "password-checks")

    # the server is the authority: a common password passes the console's checks, not the server's
    page.get_by_label("新密码", exact=True).fill("P@ssw0rd")
    page.get_by_label("再次输入新密码").fill("P@ssw0rd")
    page.get_by_role("button", name="确认修改").click()
    refusal = page.locator(".tb-error[role=alert]")
    refusal.wait_for()
    assert "常见密码" in refusal.inner_text() and "weak_password" not in refusal.inner_text()
    shot(page, "password-refused")

    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="确认修改").click()
    page.wait_for_url(re.compile(r"/login\?changed=1$"))
    assert "所有设备上的登录都已退出" in page.get_by_role("status").inner_text()
    axe(page)
    # the one-time password is gone
    assert api.call("POST", "/api/v1/auth/login",
                    {"phone": PROVINCE_ADMIN, "password": one_time_password}).status_code == 401

    login(page, PROVINCE_ADMIN, NEW_PASSWORD)
    page.wait_for_url("**/supervisor**")
    page.get_by_text(NAME).first.wait_for()
    # any person reaches the page from the header; not forced, it leads back
    page.get_by_role("link", name="修改密码").click()
    page.wait_for_url("**/password")
    page.get_by_label("当前密码", exact=True).wait_for()
    assert page.get_by_text("首次登录请先修改密码").count() == 0
    page.get_by_role("button", name="返回").click()
    page.wait_for_url("**/supervisor**")
