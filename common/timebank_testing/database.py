"""Units of work that leave nothing behind: one connection per test, in a transaction that is
rolled back at the end, each unit of work a savepoint inside it (the way large Python web
projects test on real PostgreSQL). Use cases run unchanged: they open a unit of work, change
state, emit events and commit; the commit releases their savepoint."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine

from timebank_common.db import UnitOfWork

_ENGINES: dict[str, Engine] = {}


def _engine(url: str) -> Engine:
    if url not in _ENGINES:
        _ENGINES[url] = create_engine(url, pool_size=2, max_overflow=2)
    return _ENGINES[url]


@contextmanager
def rolled_back_units_of_work(database_url: Callable[[str], str]
                              ) -> Iterator[Callable[[str], Callable[[], UnitOfWork]]]:
    """Yields ``make(service)`` → a factory of units of work on that service's database,
    all on one connection in one outer transaction, rolled back on exit."""
    connections: dict[str, Connection] = {}

    def make(service: str) -> Callable[[], UnitOfWork]:
        if service not in connections:
            connection = _engine(database_url(service)).connect()
            connection.begin()
            connections[service] = connection
        connection = connections[service]
        return lambda: UnitOfWork(connection)

    try:
        yield make
    finally:
        for connection in connections.values():
            connection.rollback()
            connection.close()


def outbox_events(uow_factory: Callable[[], UnitOfWork], event_type: str | None = None
                  ) -> list[dict]:
    """The events written to the outbox so far in this (rolled-back) test, oldest first:
    the envelopes ``{event_id, event_type, occurred_at, v, region_code, payload}``."""
    with uow_factory() as uow:
        rows = uow.execute(text(
            "SELECT body FROM outbox WHERE (CAST(:type AS text) IS NULL OR event_type = :type) "
            "ORDER BY body->>'occurred_at'"), {"type": event_type}).scalars().all()
    return list(rows)
