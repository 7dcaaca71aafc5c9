"""The database faults played on one shared PostgreSQL server (``targets.py``), on a real
database: a "restart" cuts the open connections and refuses new ones for its length, a "pause"
makes every statement on the database's tables wait for its length; afterwards it answers."""
from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import create_engine, exc, text
from sqlalchemy.pool import NullPool
from targets import cut_connections, lock_every_table
from timebank_testing import PG_BASE

from first_path import wait_for
from timebank_common.db import drop_database, ensure_database


@pytest.fixture
def database():
    url = f"{PG_BASE}/tbchaos_{uuid.uuid4().hex[:8]}"
    ensure_database(url)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE figures (n int)"))
        conn.execute(text("INSERT INTO figures VALUES (1)"))
    yield url, engine
    engine.dispose()
    drop_database(url)


def in_thread(fn, *args) -> threading.Thread:
    thread = threading.Thread(target=fn, args=args, daemon=True)
    thread.start()
    return thread


def test_a_restart_cuts_connections_and_refuses_new_ones_for_a_while(database):
    url, engine = database
    held = engine.connect()
    held.execute(text("SELECT 1"))
    admin = create_engine(f"{PG_BASE}/postgres", poolclass=NullPool)

    def allows_connections() -> bool:
        with admin.connect() as conn:
            return conn.execute(text("SELECT datallowconn FROM pg_database WHERE datname = :d"),
                                {"d": url.rsplit("/", 1)[1]}).scalar_one()

    try:
        outage = in_thread(cut_connections, url, 5.0)
        wait_for(allows_connections, lambda allowed: not allowed, timeout=10, interval=0.05)
        with pytest.raises(exc.OperationalError, match="not currently accepting connections"):
            engine.connect()
        outage.join(30)
        assert not outage.is_alive()
        with pytest.raises(exc.DBAPIError):  # the connection open before was cut
            held.execute(text("SELECT 1"))
        with engine.connect() as conn:  # and the database answers again
            assert conn.execute(text("SELECT n FROM figures")).scalar_one() == 1
    finally:
        held.close()
        admin.dispose()


def test_a_pause_makes_statements_wait_until_it_ends(database):
    url, engine = database

    def locked() -> bool:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = 'figures' AND l.mode = 'AccessExclusiveLock' AND l.granted"
            )).scalar_one() > 0

    def read(lock_timeout: str) -> int:
        with engine.connect() as conn, conn.begin():
            conn.execute(text(f"SET LOCAL lock_timeout = '{lock_timeout}'"))
            return conn.execute(text("SELECT n FROM figures")).scalar_one()

    stall = in_thread(lock_every_table, url, 5.0)
    wait_for(locked, bool, timeout=10, interval=0.05)
    with pytest.raises(exc.OperationalError, match="lock timeout"):
        read("300ms")  # waits, as on a stalled server
    assert read("30s") == 1  # waits for the end of the pause, then answers
    stall.join(30)
    assert not stall.is_alive()
