"""A stage of the province day (tests/perf/province_day.py) ends at its first failed item:
a part that stays broken must fail the day in minutes, not cost every remaining item its
client's full retry time (the chaos suite's run under faults hung that way)."""
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "perf"))

import province_day  # noqa: E402
from province_day import _Day  # noqa: E402
from province_day_client import DayError  # noqa: E402
from province_day_plan import DayPlan  # noqa: E402


def test_the_first_failed_item_ends_the_stage_and_the_rest_never_start(monkeypatch):
    day = _Day("http://127.0.0.1:9", DayPlan.at_scale(20, 1), clients=2, on_stage=None)
    started: list[int] = []
    lock = threading.Lock()
    failure_seen = threading.Event()  # the stage has seen item 0 fail: the others may go on

    def waits_then_releases(*args, **kwargs):
        answer = real_wait(*args, **kwargs)
        failure_seen.set()
        return answer

    real_wait = province_day.wait
    monkeypatch.setattr(province_day, "wait", waits_then_releases)

    def work(stats, item):
        with lock:
            started.append(item)
        if item == 0:
            raise DayError("POST /claim: no answer for 3 minutes")
        failure_seen.wait(timeout=30)  # a slow item, at work when the failure is seen

    with pytest.raises(DayError, match="stage claim: 1 failed; first: DayError: POST /claim"):
        day.stage("claim", range(1000), work)
    assert len(started) < 1000  # the queue was dropped, not worked through


def test_a_stage_without_failures_works_every_item():
    day = _Day("http://127.0.0.1:9", DayPlan.at_scale(20, 1), clients=3, on_stage=None)
    seen: list[int] = []
    lock = threading.Lock()

    def work(stats, item):
        with lock:
            seen.append(item)

    day.stage("review", range(50), work)
    assert sorted(seen) == list(range(50))
    assert day.report.stages[-1].name == "review"
