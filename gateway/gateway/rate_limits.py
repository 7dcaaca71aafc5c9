"""Rate limits at the edge (issue 15 item 4): how often a caller may use a class of routes.

Every route belongs to one class (``RouteSpec.rate_class``, else derived by ``rate_class_of``):

=========  ===========================================  ==========================================
class      routes                                       counted per
=========  ===========================================  ==========================================
``login``  ``/api/v1/auth/*`` (login, refresh, token,   client IP + account (the ``phone`` or
           console session, logout, password)           ``client_id`` sent), and client IP alone
                                                        (``login_ip``); the caller when logged in
``public`` other routes without a token (certificate    client IP
           verification, volunteer interest)
``write``  other non-GET routes                         caller (person or API client)
``read``   other GET routes                             caller (person or API client)
=========  ===========================================  ==========================================

A refusal is 429 ``rate_limited`` with ``Retry-After`` (seconds until the window that refused
ends), counted in ``timebank_rate_limited_total{rate_class}``. Windows are fixed (the
``limits`` library's fixed-window strategy: one counter and an expiry per key, a single
``INCR`` on Redis); a burst at a window's edge may pass twice the amount, which these limits
tolerate for a cheaper check.

The counters live in ``RATE_LIMIT_STORAGE_URL``: ``redis://host:port/db`` shares them between
every gateway process; ``memory://`` (the default) keeps them per process
(``process_counters.py``), so N processes allow N times the amount. When the storage cannot
be reached the request passes (logged at WARNING and counted as ``storage_error``): a Redis
outage must not take the platform down.
"""
from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from nameko.extensions import DependencyProvider

from timebank_common.errors import DomainError
from timebank_common.metrics import RATE_LIMITED

from . import request_body
from .process_counters import ProcessCounters

log = logging.getLogger(__name__)

RATE_CLASSES = ("login", "public", "write", "read")

DEFAULT_LIMITS: dict[str, str] = {
    "login": "10/minute",     # per client IP + account: password guessing on one account
    "login_ip": "60/minute",  # per client IP: one address trying many accounts (a station's NAT
                              # serves a few operators logging in at once, so above ``login``)
    "public": "30/hour",      # per client IP: forms and lookups anyone may send
    "write": "120/minute",    # per caller: two a second, far above a person at a keyboard
    "read": "600/minute",     # per caller: ten a second, a console screen loads a few at once
}


_ACCOUNT_FIELDS = ("phone", "client_id")


class RateLimited(DomainError):
    """Too many requests of one class from one caller or address (429)."""

    status = 429
    default_code = "rate_limited"


def rate_class_of(method: str, path: str, public: bool, declared: str | None) -> str:
    """The class a route's requests are counted in: its declared one, else from its shape."""
    if declared:
        return declared
    if path.startswith("/api/v1/auth/"):
        return "login"
    if public:
        return "public"
    return "read" if method in ("GET", "HEAD") else "write"


@dataclass(frozen=True)
class Request:
    """What a limit needs to know of one request."""

    rate_class: str
    client_ip: str
    subject: str | None  # the caller's person or API client id; None on public routes
    account: str | None = None  # on a login route: the phone or client id it names


def limits_from_config(configured: Mapping[str, str] | None) -> dict[str, RateLimitItem]:
    """``RATE_LIMITS`` (class → ``"10/minute"``; missing classes keep ``DEFAULT_LIMITS``)."""
    merged = dict(DEFAULT_LIMITS, **{k: v for k, v in (configured or {}).items() if v})
    unknown = set(merged) - set(DEFAULT_LIMITS)
    if unknown:
        raise ValueError(f"RATE_LIMITS: unknown classes {sorted(unknown)}; "
                         f"known: {sorted(DEFAULT_LIMITS)}")
    return {name: parse(str(text)) for name, text in merged.items()}


class RateLimiter:
    """Decides whether a request may pass, counting it (pure of HTTP: ``check`` takes a
    ``Request``). ``clock`` gives the time in epoch seconds that ``Retry-After`` is computed
    against: the storage's, so tests inject the same clock into both."""

    def __init__(self, storage: Storage, limits: Mapping[str, RateLimitItem],
                 clock: Callable[[], float] = time.time):
        self.strategy = FixedWindowRateLimiter(storage)
        self.storage = storage
        self.limits = dict(limits)
        self.clock = clock

    def counters(self, request: Request) -> list[tuple[str, tuple[str, ...]]]:
        """(limit name, key parts) of every counter this request adds one to."""
        cls, ip = request.rate_class, request.client_ip
        if cls == "login":
            if request.subject:
                return [("login", ("caller", request.subject))]
            counted: list[tuple[str, tuple[str, ...]]] = [("login_ip", ("ip", ip))]
            if request.account:
                counted.insert(0, ("login", ("ip", ip, "account", request.account)))
            return counted
        if request.subject:
            return [(cls, ("caller", request.subject))]
        return [(cls, ("ip", ip))]

    def check(self, request: Request) -> None:
        """Count the request; ``RateLimited`` when one of its counters is past its limit."""
        waits = []
        try:
            for name, parts in self.counters(request):
                item = self.limits[name]
                if not self.strategy.hit(item, name, *parts):
                    reset_at = self.strategy.get_window_stats(item, name, *parts).reset_time
                    waits.append(max(1, math.ceil(reset_at - self.clock())))
        except self.storage.base_exceptions as exc:
            RATE_LIMITED.labels("storage_error").inc()
            log.warning("rate-limit storage unreachable, request let through: %r", exc)
            return
        if waits:
            RATE_LIMITED.labels(request.rate_class).inc()
            retry_after = max(waits)
            raise RateLimited(
                "rate_limited",
                f"请求过于频繁，请 {retry_after} 秒后再试",
                f"Too many requests; try again in {retry_after} seconds",
                {"rate_class": request.rate_class, "retry_after_seconds": retry_after})


def client_ip(request, trusted_proxies: int) -> str:
    """The address a request came from. Behind ``trusted_proxies`` reverse proxies (each
    appending to ``X-Forwarded-For``) it is the entry they appended for the client; without
    proxies the header is ignored, since any client can write it."""
    if trusted_proxies > 0:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",")
                if h.strip()]
        if len(hops) >= trusted_proxies:
            return hops[-trusted_proxies]
    return request.remote_addr or "unknown"


def login_account(request) -> str | None:
    """The phone or client id a login body names (None when the body is not such JSON, or is
    too large to read before the body's own checks refuse it): the key of the per-account
    login limit. The body is read from the request's cache, through the same parser as the
    route's (``request_body``), so a deep or huge body cannot fail here."""
    length = request.content_length
    if length is None or length > request_body.DEFAULT_MAX_BODY_BYTES:
        return None
    try:
        data = request_body.parse_json_object(request.get_data(cache=True))
    except DomainError:
        return None
    for name in _ACCOUNT_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value:
            return f"{name}:{value.strip().lower()[:64]}"
    return None


def subject_of(caller: Mapping | None) -> str | None:
    if not caller:
        return None
    subject = caller.get("person_id") or caller.get("client_id")
    return str(subject) if subject else None


def storage_of(url: str) -> Storage:
    """The counters ``RATE_LIMIT_STORAGE_URL`` names: ``memory://`` is this process's
    ``ProcessCounters`` (``limits``' ``MemoryStorage`` starts a timer thread per request
    under eventlet), anything else ``limits`` opens (``redis://``...)."""
    if url.rstrip("/") == "memory:":
        return ProcessCounters()
    storage = storage_from_string(url)
    if not isinstance(storage, Storage):  # an asyncio one: nameko's workers cannot await it
        raise ValueError(f"RATE_LIMIT_STORAGE_URL {url}: not a synchronous storage")
    return storage


class GatewayRateLimits:
    """What ``RateLimits`` injects: ``check(spec, request, caller)`` for ``routing.route``."""

    def __init__(self, limiter: RateLimiter | None, trusted_proxies: int):
        self.limiter = limiter
        self.trusted_proxies = trusted_proxies

    def check(self, spec, request, caller: Mapping | None) -> None:
        if self.limiter is None:
            return
        cls = rate_class_of(spec.method, spec.path, spec.public, spec.rate_class)
        self.limiter.check(Request(
            rate_class=cls,
            client_ip=client_ip(request, self.trusted_proxies),
            subject=subject_of(caller),
            account=login_account(request) if cls == "login" and caller is None else None,
        ))


class RateLimits(DependencyProvider):
    """The gateway's limiter, configured by ``RATE_LIMITS`` (class → ``"N/period"``; off with
    ``RATE_LIMITS_ENABLED: false``), ``RATE_LIMIT_STORAGE_URL`` (``memory://`` when unset)
    and ``RATE_LIMIT_TRUSTED_PROXIES`` (reverse proxies in front of the gateway, default 0)."""

    def setup(self):
        cfg = self.container.config
        enabled = str(cfg.get("RATE_LIMITS_ENABLED", True)).lower() not in ("false", "0", "no")
        self.limiter = None
        if enabled:
            url = cfg.get("RATE_LIMIT_STORAGE_URL") or "memory://"
            self.limiter = RateLimiter(storage_of(url), limits_from_config(cfg.get("RATE_LIMITS")))
        self.trusted_proxies = int(cfg.get("RATE_LIMIT_TRUSTED_PROXIES") or 0)

    def get_dependency(self, worker_ctx):
        return GatewayRateLimits(self.limiter, self.trusted_proxies)
