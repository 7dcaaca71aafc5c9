"""Logout, password change and revoked API clients over HTTP: the gateway refuses revoked
access tokens (401 token_revoked) without asking identity per request."""
import datetime as dt
import itertools
import random

import pytest
import requests
from timebank_testing import wait_for

from gateway.service import GatewayService
from identity.app import revocation
from identity.commands.demo import DEMO_API_CLIENT, DEMO_PASSWORD, demo_id_number
from identity.commands.file_import import units_of_work
from timebank_common.clock import SystemClock

OPERATOR, YUCAI = "13800000005", "130102001001"
_serial = itertools.count(1)
_BLOCK = random.randrange(1000)


@pytest.fixture
def gateway(running, service_config, start_service):
    cfg = service_config(None, ACCESS_TOKEN_TTL_SECONDS=600)
    start_service(GatewayService, cfg)
    return f"http://{cfg['WEB_SERVER_ADDRESS']}/api/v1"


def post(url, json=None, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(url, json=json or {}, headers=headers, timeout=10)


def me(base, token):
    return requests.get(f"{base}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def login(base, phone, password=DEMO_PASSWORD) -> dict:
    resp = post(f"{base}/auth/login", {"phone": phone, "password": password})
    assert resp.status_code == 200, resp.text
    return resp.json()


def refused_within(seconds, request) -> requests.Response:
    """The first 401 answer to ``request`` within ``seconds`` (the test fails without one)."""
    def refused():
        resp = request()
        return [resp] if resp.status_code == 401 else None  # a 4xx response is falsy

    return wait_for(refused, timeout=seconds)[0]


def new_volunteer(base, password) -> str:
    n = next(_serial)
    born = dt.date(1987, 3, 1) + dt.timedelta(days=n)
    phone = f"1356{_BLOCK:03d}{n:04d}"
    token = login(base, OPERATOR)["access_token"]
    resp = requests.post(f"{base}/volunteers", timeout=10, headers={"Authorization": f"Bearer {token}"},
                         json={"name": "孙网关", "id_number": demo_id_number(
                             f"{born:%Y%m%d}", "428"), "phone": phone, "region_code": YUCAI,
                             "initial_password": password})
    assert resp.status_code == 201, resp.text
    return phone


def test_logout_ends_the_session_at_every_gateway_within_a_second(gateway, service_config,
                                                                   start_service):
    cfg = service_config(None)
    start_service(GatewayService, cfg)  # a second gateway process: each hears the broadcast
    second = f"http://{cfg['WEB_SERVER_ADDRESS']}/api/v1"
    tokens = login(gateway, OPERATOR)
    other = login(gateway, OPERATOR)
    assert me(gateway, tokens["access_token"]).status_code == 200
    assert me(second, tokens["access_token"]).status_code == 200
    resp = post(f"{gateway}/auth/logout", token=tokens["access_token"])
    assert resp.status_code == 200 and resp.json()["logged_out"] is True
    for base in (gateway, second):
        resp = refused_within(1.0, lambda base=base: me(base, tokens["access_token"]))
        assert resp.status_code == 401
        assert resp.json()["error"] == "token_revoked"
        assert resp.json()["message"] == {"zh": "登录已失效，请重新登录",
                                          "en": "This session has ended; please log in again"}
    resp = post(f"{gateway}/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert resp.status_code == 401
    assert me(gateway, other["access_token"]).status_code == 200  # another login goes on


def test_password_change_ends_every_session(gateway):
    phone = new_volunteer(gateway, "Volunteer@2026")
    tokens = login(gateway, phone, "Volunteer@2026")
    resp = post(f"{gateway}/auth/password", {"current_password": "Volunteer@2026",
                                             "new_password": "abc12345"}, tokens["access_token"])
    assert resp.status_code == 422 and resp.json()["error"] == "weak_password"
    assert [r["code"] for r in resp.json()["details"]["reasons"]] == ["too_simple", "too_common"]
    resp = post(f"{gateway}/auth/password", {"current_password": "Volunteer@2026",
                                             "new_password": "Stronger#2027"}, tokens["access_token"])
    assert resp.status_code == 200 and resp.json()["password_changed"] is True
    resp = refused_within(1.0, lambda: me(gateway, tokens["access_token"]))
    assert resp.status_code == 401 and resp.json()["error"] == "token_revoked"
    resp = post(f"{gateway}/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert resp.status_code == 401 and resp.json()["error"] == "refresh_token_invalid"
    fresh = login(gateway, phone, "Stronger#2027")
    assert me(gateway, fresh["access_token"]).status_code == 200


def test_a_locked_account_gets_423_with_retry_after(gateway):
    phone = new_volunteer(gateway, "Volunteer@2026")
    for _ in range(5):
        resp = post(f"{gateway}/auth/login", {"phone": phone, "password": "Wrong@Pass1"})
    assert resp.status_code == 423 and resp.json()["error"] == "account_locked"
    assert 890 <= int(resp.headers["Retry-After"]) <= 900
    resp = post(f"{gateway}/auth/login", {"phone": phone, "password": "Volunteer@2026"})
    assert resp.status_code == 423


def test_a_revoked_api_client_token_is_refused(gateway, demo):
    resp = post(f"{gateway}/auth/token", {"client_id": DEMO_API_CLIENT["client_id"],
                                          "client_secret": DEMO_API_CLIENT["client_secret"]})
    token = resp.json()["access_token"]
    assert me(gateway, token).status_code == 200
    with units_of_work(demo["url"]) as db, db() as uow:  # what revoking an API client calls
        revocation.revoke_tokens(uow, SystemClock().now(),
                                 client_id=DEMO_API_CLIENT["client_id"], reason="client_revoked")
        uow.commit()
    resp = refused_within(2.0, lambda: me(gateway, token))
    assert resp.status_code == 401 and resp.json()["error"] == "token_revoked"


def test_a_gateway_started_later_knows_earlier_revocations(gateway, service_config, start_service):
    tokens = login(gateway, OPERATOR)
    assert post(f"{gateway}/auth/logout", token=tokens["access_token"]).status_code == 200
    cfg = service_config(None)
    start_service(GatewayService, cfg)  # loads identity.active_revocations at start
    resp = me(f"http://{cfg['WEB_SERVER_ADDRESS']}/api/v1", tokens["access_token"])
    assert resp.status_code == 401 and resp.json()["error"] == "token_revoked"
