"""``@scheduled`` jobs: nameko's ``Timer`` with its interval from the configuration and a
bound on a tick that does not end.

nameko's ``Timer`` waits for each tick's worker before it schedules the next one, with no
bound: one tick stuck for good (a call that never returns) stops the job in that process for
good, silently — notify's deliveries, demand's sweeps. Here a tick still running after
``TIMER_OVERRUN_SECONDS`` (default 120, never less than the interval) is reported with
where it is stuck (a warning with its stack), and the next tick starts beside it: every
``@scheduled`` job is safe to run side by side already (several processes run it), so a
second tick in the same process is too. The metric ``timebank_timer_overruns_total`` counts
them.

The rhythm otherwise stays nameko's: a tick every interval, or as soon as the previous one
ended when it took longer (no burst of ticks to catch up after a long one).
"""
from __future__ import annotations

import functools
import logging
import time
import traceback

from eventlet import Timeout
from eventlet.event import Event
from nameko.timer import Timer

from . import metrics

log = logging.getLogger(__name__)
DEFAULT_OVERRUN_SECONDS = 120.0


class ScheduledTimer(Timer):
    """``Timer(interval)`` with the interval read from ``setting`` in the service's
    configuration (``default_seconds`` without it) and overrunning ticks reported."""

    def __init__(self, setting: str, default_seconds: float, **kwargs):
        super().__init__(interval=default_seconds, **kwargs)
        self.setting = setting
        self.overrun_seconds = DEFAULT_OVERRUN_SECONDS

    def setup(self):
        config = self.container.config
        self.interval = float(config.get(self.setting, self.interval))
        self.overrun_seconds = max(
            float(config.get("TIMER_OVERRUN_SECONDS", DEFAULT_OVERRUN_SECONDS)), self.interval)
        super().setup()

    def _run(self):
        wait = 0.0 if self.eager else self.interval
        while True:
            with Timeout(wait, exception=False):
                self.should_stop.wait()
                return
            started = time.monotonic()
            self.tick_and_wait()
            wait = max(started + self.interval - time.monotonic(), 0.0)

    def tick_and_wait(self) -> bool:
        """Run one tick; wait until it ended or overran. True when it ended."""
        ended = Event()
        worker = self.container.spawn_worker(
            self, (), {}, handle_result=functools.partial(self._ended, ended))
        with Timeout(self.overrun_seconds, exception=False):
            ended.wait()
            return True
        metrics.TIMER_OVERRUNS.labels(self.method_name).inc()
        frame = getattr(worker, "gr_frame", None)
        where = "".join(traceback.format_stack(frame)) if frame is not None else "(no stack)"
        log.warning("%s: a tick has run for %.0f s; the next one starts beside it. It is at:\n%s",
                    self.method_name, self.overrun_seconds, where)
        return False

    @staticmethod
    def _ended(ended: Event, worker_ctx, result, exc_info):
        ended.send()
        return result, exc_info


def scheduled(setting: str, default_seconds: float):
    """``@scheduled("SWEEP_SECONDS", 3600)``: run a job every N seconds (config key, default).

    Every process of the service runs it, so jobs must be safe to run side by side
    (``FOR UPDATE SKIP LOCKED``, idempotent writes); a tick that overran its bound has the
    next one beside it in the same process too.
    """
    return ScheduledTimer.decorator(setting, default_seconds)
