"""How fast the orchestrator's probes answer while a load runs (issue 18, item 2: under the
province day `/livez` and `/readyz` answer within 100 ms at p99).

``ProbeSampler(urls)`` asks each base URL's ``/livez`` and ``/readyz`` in turn, every
``interval`` seconds, in a thread of its own, until ``stop()``; ``table()`` gives per probe the
number of answers, p50, p99 and max in milliseconds, and how many were not 200 or failed.
Used by ``province_day.py``, which samples every process of its platform during the day.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict

import requests
from province_day_client import percentile

PROBES = ("/livez", "/readyz")


class ProbeSampler:
    def __init__(self, urls: dict[str, str], interval: float = 0.5, timeout: float = 5.0):
        self.urls, self.interval, self.timeout = urls, interval, timeout
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.bad: dict[str, int] = defaultdict(int)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="probe-sampler", daemon=True)

    def start(self) -> ProbeSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        session = requests.Session()
        while not self._stop.is_set():
            for base in self.urls.values():
                for probe in PROBES:
                    started = time.perf_counter()
                    try:
                        ok = session.get(base + probe, timeout=self.timeout).status_code == 200
                    except requests.RequestException:
                        ok = False
                    self.seconds[probe].append(time.perf_counter() - started)
                    self.bad[probe] += not ok
            self._stop.wait(self.interval)

    def table(self) -> str:
        lines = [f"{'probe':<8}{'answers':>8}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}"
                 f"{'not 200':>9}   ({len(self.urls)} processes)"]
        for probe in PROBES:
            values = [s * 1000 for s in self.seconds[probe]]
            lines.append(f"{probe:<8}{len(values):>8}{percentile(values, .5):>8.1f}"
                         f"{percentile(values, .99):>8.1f}{max(values, default=0):>8.1f}"
                         f"{self.bad[probe]:>9}")
        return "\n".join(lines)
