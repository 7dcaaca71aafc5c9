"""The province day's HTTP side: a gateway client that retries safely, the logins it keeps, and
the figures of each stage.

Retrying. A request that meets a connection error or a 502/503/504 (a process killed under it,
a broker node gone) is sent again with the same ``Idempotency-Key`` (every POST carries one,
derived from what it does in the plan), so a create that did happen the first time returns its
first result and never makes a second one; so do the demand's transitions (review, claim,
assign, check-in, check-out, confirm, evaluate: the first answer, ``Idempotent-Replayed``). A
state change without a key (a record's second look, a dispute's steps) that did happen before
the connection broke answers a retry with 409: after a retry that 409 is the first attempt's
success, counted as ``retried_conflict``.

Logins. Access tokens live 15 minutes; a 401 logs the person in again once (same request,
same key).
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

RETRY_STATUS = {502, 503, 504}
RETRY_FOR_SECONDS = 180.0  # a restarted process, a broker node back: well within this


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (nearest rank; 0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class DayError(AssertionError):
    """A request of the day answered something the plan did not expect."""


@dataclass
class StageStats:
    """One stage's requests: count, errors by status, retries, latencies and its wall time."""
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    retries: int = 0
    retried_conflicts: int = 0
    wall_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, seconds: float) -> None:
        with self._lock:
            self.latencies.append(seconds)

    def fail(self, status: int | str) -> None:
        with self._lock:
            self.errors[str(status)] += 1

    def retried(self, conflict: bool = False) -> None:
        with self._lock:
            self.retries += 1
            self.retried_conflicts += conflict

    def percentile(self, q: float) -> float:
        """Milliseconds."""
        return percentile(self.latencies, q) * 1000

    def as_dict(self) -> dict:
        n = len(self.latencies)
        return {"stage": self.name, "requests": n, "errors": dict(self.errors),
                "retries": self.retries, "retried_conflicts": self.retried_conflicts,
                "wall_seconds": round(self.wall_seconds, 2),
                "throughput": round(n / self.wall_seconds, 1) if self.wall_seconds else 0.0,
                "p50_ms": round(self.percentile(0.50), 1), "p95_ms": round(self.percentile(0.95), 1),
                "p99_ms": round(self.percentile(0.99), 1)}


class Login:
    """A person's (or a municipal system's) token, renewed when the gateway says it expired:
    with the refresh token when there is one (a digest lookup), else by logging in again (an
    argon2 verification, ~0.3 s of identity's CPU: thousands of volunteers logging in again
    every 15 minutes would cost more than the day's own work)."""

    def __init__(self, phone: str | None = None, password: str | None = None,
                 client_id: str | None = None, client_secret: str | None = None):
        self.phone, self.password = phone, password
        self.client_id, self.client_secret = client_id, client_secret
        self.token: str | None = None
        self.refresh_token: str | None = None
        self.renewals = 0
        self._lock = threading.Lock()

    def renew(self, gateway: Gateway, stats: StageStats, stale: str | None = None) -> str:
        """A fresh token; ``stale`` is the one the gateway refused (another thread may have
        renewed it meanwhile: then that one is used)."""
        with self._lock:
            if self.token is not None and self.token != stale:
                return self.token
            self.renewals += 1
            key = f"renew:{self.phone or self.client_id}:{self.renewals}"
            answer = None
            if self.refresh_token:
                try:
                    answer = gateway.call(stats, "POST", "/api/v1/auth/refresh",
                                          {"refresh_token": self.refresh_token}, key=key,
                                          expect=(200,))
                except DayError:
                    answer = None  # rotated or revoked: log in again
            if answer is None and self.client_id:
                answer = gateway.call(stats, "POST", "/api/v1/auth/token", {
                    "client_id": self.client_id, "client_secret": self.client_secret},
                    key=key, expect=(200,))
            elif answer is None:
                answer = gateway.call(stats, "POST", "/api/v1/auth/login", {
                    "phone": self.phone, "password": self.password}, key=key, expect=(200,))
            self.token = answer["access_token"]
            self.refresh_token = answer.get("refresh_token")
            return self.token


class Gateway:
    """Requests to the gateway, one keep-alive session per thread."""

    def __init__(self, base_url: str, run: str):
        self.base = base_url.rstrip("/")
        self.run = run  # makes the idempotency keys of this run's plan unique
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def call(self, stats: StageStats, method: str, path: str, body=None, *,
             login: Login | None = None, key: str | None = None,
             expect: tuple[int, ...] = (200, 201)) -> dict:
        """One request of ``stats``'s stage; ``key`` names what it does in the plan (the
        Idempotency-Key, sent with every POST). Retries as the module says; raises
        ``DayError`` on any other answer than ``expect``."""
        headers = {}
        if method == "POST":
            headers["Idempotency-Key"] = f"{self.run}:{key or path}"
        deadline = time.monotonic() + RETRY_FOR_SECONDS
        attempt, renewed = 0, False
        while True:
            attempt += 1
            if login is not None:
                sent_token = login.token or login.renew(self, stats)
                headers["Authorization"] = f"Bearer {sent_token}"
            started = time.perf_counter()
            try:
                resp = self._session().request(method, self.base + path, json=body,
                                               headers=headers, timeout=120)
            except requests.RequestException as exc:
                stats.fail(type(exc).__name__)
                if time.monotonic() > deadline:
                    raise DayError(f"{method} {path}: {exc}") from exc
                stats.retried()
                time.sleep(min(2.0, 0.1 * attempt))
                continue
            stats.add(time.perf_counter() - started)
            if resp.status_code in expect:
                return resp.json() if resp.content else {}
            stats.fail(resp.status_code)
            if resp.status_code == 401 and login is not None and not renewed:
                renewed = True
                login.renew(self, stats, stale=sent_token)
                continue
            if resp.status_code in RETRY_STATUS and time.monotonic() < deadline:
                stats.retried()
                time.sleep(min(2.0, 0.1 * attempt))
                continue
            if resp.status_code == 409 and attempt > 1:
                stats.retried(conflict=True)  # the first attempt did it
                return resp.json()
            raise DayError(f"{method} {path} -> {resp.status_code} {resp.text[:500]}")
