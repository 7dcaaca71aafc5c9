"""The load a chaos run drives while faults happen: ``drive_load`` is the one function a test
calls, so the load can change without the test.

It runs the province day (``tests/perf/province_day.py``: ``run_day(gateway_url,
DayPlan.at_scale(services, seed), clients)``) when that module is there, and then — or
instead — journeys of its own until ``stop`` is set: concurrent clients, each repeating a
whole service over HTTP (``tests/e2e/first_path.run_path``: elder and volunteer registered,
demand submitted, reviewed, claimed, checked in and out, recorded, released to the ledger)
or the reservation saga (``tests/e2e/test_saga_chaos.saga_path``: an elder paying from own
hours, recorded or cancelled).

Faults make requests fail: the gateway is down for a moment (connection refused), an RPC
times out (503), a database connection is cut (500). The client retries such answers with
the same ``Idempotency-Key``, for a bounded time; a journey whose step still fails, or
whose retried step answers otherwise than the first try would have (a state change that takes
no key, retried after it went through: 409; the demand's transitions take the key and answer
their first answer), is abandoned and counted. What matters is the end state, which the checks
read whatever the journeys reached.
"""
from __future__ import annotations

import random
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from platform_fixtures import Api

RETRIED_STATUSES = (500, 502, 503, 504)
PATIENCE_SECONDS = 120.0
"""How long one request is retried: longer than any single fault and its recovery."""


class RetryingApi(Api):
    """``Api`` that retries a request the faults broke, with the same ``Idempotency-Key``
    (one per logical request) and growing pauses, for ``PATIENCE_SECONDS``; ``seen`` counts
    the retried answers by status (``error`` for no answer)."""

    def __init__(self, base: str, seen: Counter[str], lock: threading.Lock):
        super().__init__(base)
        self.seen, self.lock = seen, lock

    def call(self, method, path, body=None, token=None, expect=None, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if method == "POST":
            headers.setdefault("Idempotency-Key", uuid.uuid4().hex)
        deadline, pause = time.monotonic() + PATIENCE_SECONDS, 0.2
        while True:
            try:
                resp = super().call(method, path, body, token, None, headers=headers, **kwargs)
            except requests.RequestException as exc:
                resp, outcome = None, f"error {type(exc).__name__}"
            else:
                if resp.status_code not in RETRIED_STATUSES:
                    break
                outcome = str(resp.status_code)
            with self.lock:
                self.seen[outcome] += 1
            if time.monotonic() > deadline:
                raise AssertionError(f"{method} {path}: still {outcome} after "
                                     f"{PATIENCE_SECONDS:.0f}s of retries")
            time.sleep(pause)  # a back-off between tries, not a wait for an ordering
            pause = min(pause * 2, 3.0)
        if expect is not None:
            assert resp.status_code == expect, f"{method} {path} -> {resp.status_code} {resp.text}"
        return resp


@dataclass
class LoadReport:
    completed: Counter[str] = field(default_factory=Counter)
    abandoned: Counter[str] = field(default_factory=Counter)
    retried: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    province_day: object | None = None
    seconds: float = 0.0

    def made_progress(self, journeys: int) -> bool:
        """The load went on under the faults: the province day ran to its end, or at least
        ``journeys`` journeys were completed."""
        day_done = self.province_day is not None and not isinstance(self.province_day, str)
        return day_done or sum(self.completed.values()) >= journeys

    def summary(self) -> str:
        total = sum(self.completed.values())
        lines = [f"load: {total} journeys completed {dict(self.completed)}, abandoned "
                 f"{dict(self.abandoned)}, retried answers {dict(self.retried)}, "
                 f"in {self.seconds:.0f}s"]
        day = self.province_day
        if day is not None:  # the day's per-stage table, not its ids and latencies
            lines.append(f"province day:\n{day.table() if hasattr(day, 'table') else day}")
        lines += [f"  abandoned: {e}" for e in self.errors[:5]]
        return "\n".join(lines)


def _journeys(platform, accounts) -> dict[str, Callable[[Api], object]]:
    from test_saga_chaos import saga_path  # noqa: PLC0415

    from first_path import run_path  # noqa: PLC0415 - tests/e2e, on the path in conftest

    def idle(step):
        return None

    return {
        "service": lambda api: run_path(api, accounts),
        "paid_service": lambda api: saga_path(api, accounts, platform, idle),
        "paid_cancelled": lambda api: saga_path(api, accounts, platform, idle, end="cancel"),
    }


WEIGHTS = {"service": 6, "paid_service": 3, "paid_cancelled": 1}


def journeys_until(platform, accounts, stop: threading.Event, clients: int, seed: int,
                   report: LoadReport) -> None:
    """``clients`` concurrent clients, each repeating journeys (drawn by ``WEIGHTS``, seeded)
    until ``stop`` is set."""
    journeys = _journeys(platform, accounts)
    lock = threading.Lock()

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        api = RetryingApi(platform.url("gateway"), report.retried, lock)
        while not stop.is_set():
            kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
            try:
                journeys[kind](api)
            except Exception as exc:  # noqa: BLE001 - a journey a fault broke: counted
                with lock:
                    report.abandoned[kind] += 1
                    report.errors.append(f"{kind}: {exc!r} "
                                         f"{traceback.format_exc(limit=2).splitlines()[-1]}")
            else:
                with lock:
                    report.completed[kind] += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def drive_load(platform, accounts, stop: threading.Event, clients: int = 4, seed: int = 17,
               services: int = 200) -> LoadReport:
    """The load, until ``stop`` is set: the province day at ``services`` services first when
    ``tests/perf/province_day.py`` exists, then journeys of our own."""
    report = LoadReport()
    started = time.monotonic()
    try:
        import province_day  # noqa: PLC0415 - tests/perf (issue 17, item 3)
    except ImportError:
        pass
    else:
        extra = {}
        if hasattr(province_day, "import_divisions_with"):  # the day's communities
            extra["divisions"] = province_day.import_divisions_with(platform.base_env)
        try:
            report.province_day = province_day.run_day(
                platform.url("gateway"), province_day.DayPlan.at_scale(services, seed),
                clients, **extra)
        except Exception as exc:  # noqa: BLE001 - the day's own client gave up under a fault
            report.province_day = f"stopped: {exc!r}"
            report.abandoned["province_day"] += 1
    if not stop.is_set():
        journeys_until(platform, accounts, stop, clients, seed, report)
    report.seconds = time.monotonic() - started
    return report
