"""Run a service's timer job as several processes would: at the same moment, each on its own
database connections, each committing for real.

Every process of a service runs each ``@scheduled`` job (``timebank_common.service``), so two
processes' timers can fire together over the same due work. ``side_by_side`` releases its
calls at one barrier in green threads (the test process is monkey-patched and psycopg waits
cooperatively, DESIGN.md §8), so their transactions really overlap in PostgreSQL: the test
then checks that each effect happened once. The units of work must commit (a module's own
database, ``own_database_url``), not the rolled-back ones of ``uow_factory``: those share one
connection, which would make the calls take turns.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import eventlet

from timebank_common.db import UnitOfWork, make_engine


def side_by_side(*calls: Callable[[], Any], timeout: float = 120.0) -> list[Any]:
    """Start every call at once (a barrier), wait for all; their results in order. The first
    error of any call is raised (after all have ended, so no run is left behind)."""
    gate = threading.Barrier(len(calls))  # green under the monkey patch

    def run(call: Callable[[], Any]) -> tuple[bool, Any]:
        gate.wait(timeout)
        try:
            return True, call()
        except Exception as exc:  # noqa: BLE001 - handed back to the test below
            return False, exc

    threads = [eventlet.spawn(run, call) for call in calls]
    with eventlet.Timeout(timeout):
        outcomes = [thread.wait() for thread in threads]
    for ok, value in outcomes:
        if not ok:
            raise value
    return [value for _, value in outcomes]


class CommittingDatabase:
    """A unit-of-work factory on a real database whose units of work commit, each on its own
    pooled connection (as a service process's ``Database`` gives them). ``dispose()`` at the
    end."""

    def __init__(self, url: str, pool_size: int = 10):
        self.engine = make_engine(url, pool_size=pool_size)

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

