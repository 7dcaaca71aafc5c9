"""The console's shell: served at / with its security headers and cache rules, the login
session in an HttpOnly cookie (the access token only in memory), a reload that keeps the
login, logout everywhere, and the login screen without accessibility faults."""
from __future__ import annotations

import requests

from console_browser import DEMO_PASSWORD, PHONE, axe, login, shot

OPERATOR = "13800000005"


def test_the_gateway_serves_the_console_with_its_policy(console_url):
    index = requests.get(console_url + "/", timeout=30)
    assert index.status_code == 200 and '<div id="app">' in index.text
    policy = index.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    client_route = requests.get(console_url + "/station/intake", timeout=30)
    assert client_route.status_code == 200 and client_route.text == index.text
    asset = next(part.split('"')[0] for part in index.text.split('src="')[1:] if part.startswith("/assets/"))
    hashed = requests.get(console_url + asset, timeout=30)
    assert hashed.status_code == 200
    assert "immutable" in hashed.headers["Cache-Control"]
    assert requests.get(console_url + "/assets/missing-1234.js", timeout=30).status_code == 404
    unknown_api = requests.get(console_url + "/api/v1/no-such-thing", timeout=30)
    assert unknown_api.status_code == 404 and unknown_api.json()["error"] == "not_found"


def test_the_console_runs_under_its_content_security_policy(new_page):
    page = new_page(bypass_csp=False)
    page.add_init_script("window.__violations = [];"
                         "document.addEventListener('securitypolicyviolation',"
                         " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI))")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, OPERATOR)
    page.get_by_text("周晓燕").first.wait_for()
    assert page.evaluate("window.__violations") == [] and errors == []


def test_login_keeps_the_refresh_token_out_of_script_reach(new_page, console_url):
    page = new_page()
    page.goto("/login")
    axe(page)
    shot(page, "login")
    login(page, OPERATOR)
    assert page.url.endswith("/station")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["tb_refresh"]["httpOnly"] and cookies["tb_refresh"]["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""
    assert page.evaluate("JSON.stringify(localStorage) + JSON.stringify(sessionStorage)").count("ey") == 0
    page.reload()  # the access token was in memory only: the cookie brings the login back
    page.get_by_text("周晓燕").first.wait_for()
    assert "/login" not in page.url


def test_logout_everywhere_ends_every_login(new_page):
    first, second = new_page(), new_page(viewport=PHONE)
    login(first, OPERATOR)
    login(second, OPERATOR)
    first.get_by_role("button", name="退出登录").click()
    first.get_by_text("退出所有设备").click()
    first.wait_for_url("**/login")
    second.reload()
    second.wait_for_url("**/login**")


def test_a_wrong_password_is_told_in_words(new_page):
    page = new_page()
    page.goto("/login")
    page.get_by_label("手机号").fill(OPERATOR)
    page.get_by_label("密码").fill(DEMO_PASSWORD + "x")
    page.get_by_role("button", name="登录").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "invalid" not in alert.inner_text() and alert.inner_text().strip()
