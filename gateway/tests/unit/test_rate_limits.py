"""The gateway's rate limits without HTTP or Redis: the counters each class of request adds to,
refusals with Retry-After from an injected clock, and the storage failing open."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from limits import parse
from limits.storage import Storage

from gateway.rate_limits import (
    RateLimited,
    RateLimiter,
    Request,
    client_ip,
    limits_from_config,
    login_account,
    rate_class_of,
)
from gateway.routing import ROUTES
from timebank_common.metrics import RATE_LIMITED


class ClockedStorage(Storage):
    """In-memory counters whose windows end by an injected clock (``now``), not the wall's."""

    STORAGE_SCHEME = ["clocked"]

    def __init__(self):
        super().__init__()
        self.now = 1_000_000.0
        self.counts: dict[str, int] = {}
        self.expiries: dict[str, float] = {}
        self.fail = False

    @property
    def base_exceptions(self):
        return ConnectionError

    def _live(self, key):
        if self.fail:
            raise ConnectionError("storage down")
        if self.expiries.get(key, 0) <= self.now:
            self.counts.pop(key, None)
            self.expiries.pop(key, None)

    def incr(self, key, expiry, amount=1):
        self._live(key)
        if key not in self.counts:
            self.expiries[key] = self.now + expiry
        self.counts[key] = self.counts.get(key, 0) + amount
        return self.counts[key]

    def get(self, key):
        self._live(key)
        return self.counts.get(key, 0)

    def get_expiry(self, key):
        self._live(key)
        return self.expiries.get(key, self.now)

    def check(self):
        return True

    def reset(self):
        self.counts.clear()

    def clear(self, key):
        self.counts.pop(key, None)


def limiter(**configured):
    storage = ClockedStorage()
    return RateLimiter(storage, limits_from_config(configured), clock=lambda: storage.now), storage


def refused(lim, request) -> RateLimited | None:
    try:
        lim.check(request)
    except RateLimited as exc:
        return exc
    return None


def test_a_caller_past_the_write_limit_is_refused_until_the_window_ends():
    lim, storage = limiter(write="3/minute")
    writer = Request("write", "10.0.0.1", subject="person-1")
    for _ in range(3):
        assert refused(lim, writer) is None
    storage.now += 20
    exc = refused(lim, writer)
    assert exc is not None and exc.status == 429 and exc.code == "rate_limited"
    assert exc.details == {"rate_class": "write", "retry_after_seconds": 40}
    assert "40" in exc.zh and "40" in exc.en
    # another person from the same address has a counter of their own
    assert refused(lim, Request("write", "10.0.0.1", subject="person-2")) is None
    storage.now += 40
    assert refused(lim, writer) is None


def test_reads_and_writes_are_counted_apart():
    lim, _ = limiter(write="1/minute", read="2/minute")
    assert refused(lim, Request("write", "ip", subject="p")) is None
    assert refused(lim, Request("write", "ip", subject="p")) is not None
    assert refused(lim, Request("read", "ip", subject="p")) is None
    assert refused(lim, Request("read", "ip", subject="p")) is None
    assert refused(lim, Request("read", "ip", subject="p")) is not None


def test_logins_are_limited_per_address_and_account_and_per_address():
    lim, storage = limiter(login="2/minute", login_ip="3/minute")
    one = Request("login", "10.0.0.9", subject=None, account="phone:13900000001")
    assert refused(lim, one) is None
    assert refused(lim, one) is None
    assert refused(lim, one).details["rate_class"] == "login"  # third try on one account
    # the address as a whole has used its 3: another account from it is refused too
    other = Request("login", "10.0.0.9", subject=None, account="phone:13900000002")
    assert refused(lim, other) is not None
    # another address is not
    assert refused(lim, Request("login", "10.0.0.10", None, "phone:13900000001")) is None
    storage.now += 60
    assert refused(lim, one) is None


def test_public_routes_count_per_address():
    lim, storage = limiter(public="2/hour")
    visitor = Request("public", "192.0.2.7", subject=None)
    assert refused(lim, visitor) is None
    assert refused(lim, visitor) is None
    storage.now += 600
    assert refused(lim, visitor).details["retry_after_seconds"] == 3000
    assert refused(lim, Request("public", "192.0.2.8", subject=None)) is None


def test_an_unreachable_storage_lets_requests_through_and_is_counted():
    lim, storage = limiter(write="1/minute")
    storage.fail = True
    before = RATE_LIMITED.labels("storage_error")._value.get()
    for _ in range(3):
        assert refused(lim, Request("write", "ip", subject="p")) is None
    assert RATE_LIMITED.labels("storage_error")._value.get() == before + 3


def test_refusals_are_counted_by_class():
    lim, _ = limiter(read="1/minute")
    before = RATE_LIMITED.labels("read")._value.get()
    refused(lim, Request("read", "ip", subject="p"))
    refused(lim, Request("read", "ip", subject="p"))
    assert RATE_LIMITED.labels("read")._value.get() == before + 1


def test_configuration_keeps_defaults_and_refuses_unknown_classes():
    limits = limits_from_config({"read": "5/second"})
    assert limits["read"] == parse("5/second")
    assert limits["login"] == parse("10/minute")
    with pytest.raises(ValueError):
        limits_from_config({"reads": "5/second"})


def test_every_route_has_a_known_class_and_auth_routes_are_login():
    import gateway.service  # noqa: F401  (declares the routes)

    classes = {(r.method, r.path): rate_class_of(r.method, r.path, r.public, r.rate_class)
               for r in ROUTES}
    assert set(classes.values()) <= {"login", "public", "write", "read"}
    assert classes[("POST", "/api/v1/auth/login")] == "login"
    assert classes[("POST", "/api/v1/auth/token")] == "login"
    assert classes[("POST", "/api/v1/auth/session")] == "login"
    assert classes[("GET", "/api/v1/certificates/<number>/verify")] == "public"
    assert classes[("GET", "/api/v1/me")] == "read"
    assert classes[("POST", "/api/v1/demands")] == "write"


def _request(remote="10.1.1.1", forwarded=None, body=b""):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return SimpleNamespace(remote_addr=remote, headers=headers, content_length=len(body),
                           get_data=lambda cache=True: body)


def test_forwarded_for_is_believed_only_behind_configured_proxies():
    spoofed = _request(forwarded="1.2.3.4")
    assert client_ip(spoofed, trusted_proxies=0) == "10.1.1.1"
    behind_one = _request(forwarded="1.2.3.4, 198.51.100.5")
    assert client_ip(behind_one, trusted_proxies=1) == "198.51.100.5"
    assert client_ip(behind_one, trusted_proxies=2) == "1.2.3.4"


def test_the_login_account_is_read_from_the_body():
    assert login_account(_request(body=b'{"phone": "13900000001", "password": "x"}')) \
        == "phone:13900000001"
    assert login_account(_request(body=b'{"client_id": "SJZ-1"}')) == "client_id:sjz-1"
    assert login_account(_request(body=b"not json")) is None
    assert login_account(_request(body=b"[1]")) is None
    assert login_account(_request(body=b"[" * 100_000)) is None  # too deep: the route refuses it
