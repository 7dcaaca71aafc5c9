"""How psycopg waits for the database under eventlet: on the hub directly.

psycopg 3 would block the eventlet hub while a statement runs; ``PSYCOPG_WAIT_FUNC=wait_select``
(set in ``timebank_common/__init__``) makes it wait in ``select()``, which eventlet turns
cooperative (DESIGN.md §8). Green ``select()`` is general and pays for it on every wait: it
builds listener lists, schedules a timer for psycopg's 0.1 s interrupt check, and undoes both.
Each statement waits at least once, so under a province's load that was a large share of every
service's CPU: ``wait_on_hub`` asks the hub for the one socket instead (eventlet's
``trampoline``), with no timer unless psycopg gives a timeout — about a fifth less CPU per
round trip (``tests/perf/bench_pg_wait.py``).

``install()`` puts it in place when eventlet has patched ``select`` (every service process and
the test suite); a command run without eventlet keeps psycopg's ``select()``.
"""
from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

from psycopg import errors, waiting
from psycopg.waiting import READY_R, READY_RW, WAIT_R, WAIT_W


def wait_on_hub(gen: Generator[int, int, Any], fileno: int, interval: float = 0.0,
                timeout: float | None = None) -> Any:
    """psycopg's ``wait`` contract: run ``gen``, which yields what it waits for (read, write
    or both) and is sent what is ready, until it returns; ``_WaitTimeout`` after ``timeout``
    seconds. Waiting for both, the socket is reported ready for both: psycopg then reads
    what there is and writes what it can, so a side that was not ready costs nothing."""
    from eventlet.hubs import trampoline  # noqa: PLC0415 — only under eventlet

    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        waiting_for = next(gen)
        while True:
            left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            trampoline(fileno, read=bool(waiting_for & WAIT_R), write=bool(waiting_for & WAIT_W),
                       timeout=left, timeout_exc=errors._WaitTimeout)
            waiting_for = gen.send(READY_R if waiting_for == WAIT_R else READY_RW)
    except StopIteration as done:
        return done.value


def install() -> bool:
    """Make psycopg wait on the hub when eventlet has patched ``select``; True if it does."""
    from eventlet import patcher  # noqa: PLC0415

    if not patcher.is_monkey_patched("select"):
        return False
    waiting.wait = wait_on_hub
    return True
