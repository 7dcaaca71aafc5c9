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
from psycopg.waiting import READY_R, READY_W, WAIT_R, WAIT_RW, WAIT_W


def wait_on_hub(gen: Generator[int, int, Any], fileno: int, interval: float = 0.0,
                timeout: float | None = None) -> Any:
    """psycopg's ``wait`` contract: run ``gen``, which yields what it waits for (read, write
    or both) and is sent what is ready, until it returns; ``_WaitTimeout`` after ``timeout``
    seconds. Reading or writing alone (nearly every wait) is one hub listener; both at once
    (a statement too large for one socket write) goes through green ``select()``, since the
    hub listens for one direction per wait and psycopg must learn which side is ready."""
    from eventlet.green import select  # noqa: PLC0415 — only under eventlet
    from eventlet.hubs import trampoline  # noqa: PLC0415

    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        waiting_for = next(gen)
        while True:
            left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            if waiting_for == WAIT_RW:
                readable, writable, _ = select.select([fileno], [fileno], [], left)
                if not (readable or writable):
                    raise errors._WaitTimeout("wait timeout expired")
                ready = (READY_R if readable else 0) | (READY_W if writable else 0)
            else:
                trampoline(fileno, read=waiting_for == WAIT_R, write=waiting_for == WAIT_W,
                           timeout=left, timeout_exc=errors._WaitTimeout)
                ready = READY_R if waiting_for == WAIT_R else READY_W
            waiting_for = gen.send(ready)
    except StopIteration as done:
        return done.value


def install() -> bool:
    """Make psycopg wait on the hub when eventlet has patched ``select``; True if it does."""
    from eventlet import patcher  # noqa: PLC0415

    if not patcher.is_monkey_patched("select"):
        return False
    waiting.wait = wait_on_hub
    return True
