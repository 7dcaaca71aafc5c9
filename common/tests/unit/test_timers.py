"""``timebank_common.timers.ScheduledTimer``: a tick at a time, and a tick that never ends
reported with where it is stuck while the job goes on (no broker: the timer's loop with a
stand-in container that runs workers as green threads)."""
import logging
import time
from types import SimpleNamespace

import eventlet
import pytest
from eventlet.event import Event

from timebank_common import metrics
from timebank_common.timers import ScheduledTimer


class StandInContainer:
    """What the timer asks of nameko's container: its config and ``spawn_worker``."""

    def __init__(self, config, job):
        self.config = config
        self.job = job
        self.running = 0
        self.most_at_once = 0
        self.ticks = 0

    def spawn_worker(self, entrypoint, args, kwargs, handle_result):
        self.ticks += 1

        def work(tick):
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            try:
                self.job(tick)
            finally:
                self.running -= 1
                handle_result(SimpleNamespace(), None, None)

        return eventlet.spawn(work, self.ticks)


def timer_of(config, job, method="send_due"):
    timer = ScheduledTimer("POLL_SECONDS", 60)
    container = StandInContainer(config, job)
    timer.container = container
    timer.method_name = method
    timer.setup()  # as the container does: the interval and the bound from its config
    return timer, container


def wait_until(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        eventlet.sleep(0.01)


def test_the_interval_and_the_bound_come_from_the_configuration():
    timer, _ = timer_of({"POLL_SECONDS": "2", "TIMER_OVERRUN_SECONDS": "30"}, lambda tick: None)
    assert (timer.interval, timer.overrun_seconds) == (2.0, 30.0)
    timer, _ = timer_of({"POLL_SECONDS": "3600"}, lambda tick: None)
    assert timer.overrun_seconds == 3600.0  # never less than the interval


def test_ticks_follow_one_another_when_each_ends():
    timer, container = timer_of({"POLL_SECONDS": 0.01}, lambda tick: eventlet.sleep(0.02))
    loop = eventlet.spawn(timer._run)
    wait_until(lambda: container.ticks >= 5)
    timer.should_stop.send(True)
    loop.wait()
    assert container.most_at_once == 1


def test_a_tick_that_never_ends_is_reported_and_the_job_goes_on(caplog):
    stuck = Event()  # never sent: the first tick waits for good, as on a call with no answer

    def job(tick):
        if tick == 1:
            stuck.wait()

    timer, container = timer_of({"POLL_SECONDS": 0.01, "TIMER_OVERRUN_SECONDS": 0.2}, job)
    before = metrics.TIMER_OVERRUNS.labels("send_due")._value.get()
    with caplog.at_level(logging.WARNING, logger="timebank_common.timers"):
        loop = eventlet.spawn(timer._run)
        wait_until(lambda: container.ticks >= 4)
        timer.should_stop.send(True)
        loop.wait()
    assert metrics.TIMER_OVERRUNS.labels("send_due")._value.get() == before + 1
    [warning] = [r for r in caplog.records if "a tick has run for" in r.getMessage()]
    assert "send_due" in warning.getMessage() and "stuck.wait()" in warning.getMessage()
    assert container.running == 1  # the stuck one, still there beside the later ticks


@pytest.mark.parametrize("eager", [False, True])
def test_the_first_tick_waits_an_interval_unless_eager(eager):
    timer, container = timer_of({"POLL_SECONDS": 30}, lambda tick: None)
    timer.eager = eager
    loop = eventlet.spawn(timer._run)
    eventlet.sleep(0)  # the loop has started and is waiting for its first tick
    if eager:
        wait_until(lambda: container.ticks == 1)
    timer.should_stop.send(True)
    loop.wait()
    assert container.ticks == (1 if eager else 0)
