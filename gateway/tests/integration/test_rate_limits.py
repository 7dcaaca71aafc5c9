"""Rate limits on real gateway containers: a caller past the write limit gets 429 with
Retry-After, before any RPC; two gateways counting in Redis share the count, two counting in
memory do not (``memory://`` is per process, as documented)."""
from __future__ import annotations

import uuid

import pytest
import redis
import requests

from gateway.service import GatewayService
from timebank_common.caller import Caller
from timebank_common.rpc import rpc
from timebank_common.tokens import issue_access_token

REDIS_URL = "redis://127.0.0.1:6379/0"
OPERATOR = Caller(None, ("station_operator",), "130102001000")


class StandInDemand:
    name = "demand"
    calls = 0

    @rpc
    def list_disputes(self, caller, filters):
        StandInDemand.calls += 1
        return {"items": [], "total": 0, "page": 1, "page_size": 20}


@pytest.fixture
def start_gateways(service_config, start_service, token_keys):
    start_service(StandInDemand, service_config(None))
    private = open(token_keys["JWT_PRIVATE_KEY_FILE"], "rb").read()

    def start(count: int, storage: str, **limits):
        bases = []
        for _ in range(count):
            cfg = service_config(None, RATE_LIMITS_ENABLED=True, RATE_LIMIT_STORAGE_URL=storage,
                                 RATE_LIMITS=limits)
            start_service(GatewayService, cfg)
            bases.append(f"http://{cfg['WEB_SERVER_ADDRESS']}")
        return bases

    def read(base: str, who: Caller):
        token = issue_access_token(private, who, 60)
        return requests.get(f"{base}/api/v1/disputes", timeout=10,
                            headers={"Authorization": f"Bearer {token}"})

    return start, read


def _someone() -> Caller:
    """An operator no other run has counted (the Redis counters outlive a test)."""
    return Caller(str(uuid.uuid4()), OPERATOR.roles, OPERATOR.scope)


def test_two_gateways_on_redis_share_a_callers_count(start_gateways):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:  # deploy/ensure-infra.sh starts it
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc!r}")
    start, read = start_gateways
    first, second = start(2, REDIS_URL, read="3/minute")
    who = _someone()
    assert [read(base, who).status_code for base in (first, second, first)] == [200] * 3
    calls = StandInDemand.calls
    refused = read(second, who)
    assert refused.status_code == 429, refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["error"] == "rate_limited"
    assert refused.json()["details"] == {"rate_class": "read",
                                         "retry_after_seconds": int(refused.headers["Retry-After"])}
    assert StandInDemand.calls == calls  # refused before the RPC
    assert read(first, _someone()).status_code == 200  # another caller has a count of their own
    assert 'timebank_rate_limited_total{rate_class="read"}' in requests.get(
        f"{second}/metrics", timeout=10).text


def test_two_gateways_counting_in_memory_count_apart(start_gateways):
    start, read = start_gateways
    first, second = start(2, "memory://", read="2/minute")
    who = _someone()
    assert [read(first, who).status_code for _ in range(3)] == [200, 200, 429]
    assert read(second, who).status_code == 200  # per process: its own count


def test_requests_are_counted_by_route_template_method_and_status(start_gateways):
    from prometheus_client import REGISTRY

    def count(code: str) -> float:
        return REGISTRY.get_sample_value("timebank_http_requests_total", {
            "route": "/api/v1/disputes", "method": "GET", "code": code}) or 0.0

    def observed() -> float:
        return REGISTRY.get_sample_value("timebank_http_request_duration_seconds_count", {
            "route": "/api/v1/disputes", "method": "GET"}) or 0.0

    start, read = start_gateways
    [base] = start(1, "memory://", read="1/minute")
    ok, refused, seen = count("200"), count("429"), observed()
    who = _someone()
    assert [read(base, who).status_code for _ in range(2)] == [200, 429]
    assert (count("200"), count("429"), observed()) == (ok + 1, refused + 1, seen + 2)
    scrape = requests.get(f"{base}/metrics", timeout=10).text
    assert 'timebank_http_requests_total{code="429",method="GET",route="/api/v1/disputes"}' in scrape
    assert "_created" not in scrape
