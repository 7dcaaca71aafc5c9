"""The edge on the real platform (issue 15 items 4 and 8): rate limits counted in Redis and
shared by two gateway processes (429 with Retry-After), and service logs that never hold the
personal data a run registered (names, phones, ID numbers), even on refusals and errors."""
from __future__ import annotations

import random
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests
from timebank_testing import free_port

from first_path import new_person_numbers
from journey_steps import ELIGIBLE, PASSWORD, STATION_REGION

REDIS_URL = "redis://127.0.0.1:6379/0"


def _start_gateway(platform, key: str, extra_env: dict) -> str:
    """Another gateway process on the running platform, with settings of its own."""
    port = free_port()
    platform.ports[key] = port
    platform.start("gateway", key=key,
                   extra_env={"GATEWAY_HTTP": f"127.0.0.1:{port}", **extra_env})
    platform.wait_healthy([key])
    return platform.url(key)


@pytest.fixture(scope="module")
def two_limited_gateways(platform):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:  # deploy/ensure-infra.sh starts it
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc!r}")
    limited = {"RATE_LIMIT_STORAGE_URL": REDIS_URL, "RATE_LIMIT_LOGIN": "3/minute",
               "RATE_LIMIT_LOGIN_IP": "100000/minute"}
    keys = [f"gateway-limited-{n}" for n in ("a", "b")]
    urls = [_start_gateway(platform, key, limited) for key in keys]
    yield urls
    for key in keys:
        platform.stop(key)


def _login(base: str, phone: str) -> requests.Response:
    return requests.post(f"{base}/api/v1/auth/login", json={"phone": phone, "password": "Wrong@2026"},
                         timeout=30)


def test_two_gateway_processes_share_the_login_count_and_answer_429_with_retry_after(
        two_limited_gateways):
    first, second = two_limited_gateways
    phone = f"139{random.randrange(10**8):08d}"  # an account no other run tries: its own counter
    assert _login(first, phone).status_code == 401
    assert _login(second, phone).status_code == 401
    assert _login(first, phone).status_code == 401
    refused = _login(second, phone)  # the fourth try within the minute, wherever it lands
    assert refused.status_code == 429, refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    body = refused.json()
    assert body["error"] == "rate_limited"
    assert body["message"]["zh"] and body["message"]["en"]
    assert body["details"]["rate_class"] == "login"
    assert _login(first, phone).status_code == 429
    # another account from the same address is not held back by this one's tries
    assert _login(first, f"138{random.randrange(10**8):08d}").status_code == 401
    metrics = requests.get(f"{second}/metrics", timeout=10).text
    assert 'timebank_rate_limited_total{rate_class="login"}' in metrics


def _chinese_name() -> str:
    """A name no demo or other test uses, so finding it in a log can only mean this test's."""
    return "".join(chr(random.randrange(0x4E00, 0x9FA5)) for _ in range(3))


def test_the_logs_hold_none_of_the_personal_data_a_run_registered(platform, api, demo_accounts):
    operator = api.login(demo_accounts["station_operator"]["phone"], "Demo@2026")
    name = _chinese_name()
    id_number, phone = new_person_numbers("19880512", "male")
    body = {"name": name, "id_number": id_number, "phone": phone, "region_code": STATION_REGION,
            "initial_password": PASSWORD, "volunteer_number": f"V{phone}", **ELIGIBLE}
    volunteer = api.call("POST", "/api/v1/volunteers", body, token=operator, expect=201).json()
    # the paths that write or refuse personal data: a second registration of the same person,
    # a search by phone, a wrong and a right password, refused characters, a malformed id
    api.call("POST", "/api/v1/volunteers", body, token=operator)
    api.call("GET", f"/api/v1/volunteers?phone={phone}", token=operator)
    api.call("POST", "/api/v1/auth/login", {"phone": phone, "password": "Wrong@2026"})
    api.login(phone, PASSWORD)
    nul_id, nul_phone = new_person_numbers("19880512", "male")
    nul = api.call("POST", "/api/v1/volunteers", {**body, "name": name + "\x00",
                                                  "id_number": nul_id, "phone": nul_phone},
                   token=operator)
    assert nul.status_code == 400, nul.text
    api.call("GET", f"/api/v1/disputes?demand_id={uuid.uuid4().hex[:30]}", token=operator)
    api.call("GET", f"/api/v1/volunteers/{volunteer['person_id']}?unmasked=true", token=operator)
    # the same new person registered six times at once: the losers of the race may reach a
    # unique index, the database error path whose log line once printed the INSERT's values
    race_id, race_phone = new_person_numbers("19880512", "male")
    race = {**body, "id_number": race_id, "phone": race_phone, "volunteer_number": f"V{race_phone}"}
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda _: api.call("POST", "/api/v1/volunteers", race,
                                                    token=operator).status_code, range(6)))
    assert statuses.count(201) == 1, statuses

    secrets = {"name": name, "phone": phone, "id_number": id_number, "nul_phone": nul_phone,
               "nul_id_number": nul_id, "password": PASSWORD, "race_phone": race_phone,
               "race_id_number": race_id}
    logs = sorted(platform.log_dir.glob("*.log"))
    assert {log.stem for log in logs} >= {"gateway", "identity"}
    assert all(log.stat().st_size > 0 for log in logs)  # the services do log
    found = []
    for log in logs:
        text = log.read_text(encoding="utf-8", errors="replace")
        found += [f"{what} in {log.name}" for what, value in secrets.items() if value in text]
    assert not found, found
