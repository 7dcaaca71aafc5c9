"""``timebank_common.pg_wait``: under eventlet, psycopg waits on the hub — statements of
several green threads overlap, results and errors come back as before, and psycopg's own
timeouts still end a wait (real PostgreSQL)."""
import eventlet
import psycopg
import pytest
from psycopg import errors, waiting
from sqlalchemy import text

from timebank_common import pg_wait
from timebank_common.db import make_engine


@pytest.fixture(scope="module")
def engine(database_url):
    engine = make_engine(database_url("notify"), pool_size=4)
    yield engine
    engine.dispose()


def test_the_engine_makes_psycopg_wait_on_the_hub(engine):
    assert waiting.wait is pg_wait.wait_on_hub  # the suite runs monkey-patched, as services do


def test_statements_of_several_green_threads_overlap(engine):
    """Four statements that each wait on the server for a while run side by side: each one
    sees the others' backends busy at the same moment (no wall clock involved)."""
    seen = []

    def busy_neighbours():
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock_shared(42)"))
            seen.append(conn.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 42 "
                "AND granted")).scalar_one())
            conn.execute(text("SELECT pg_sleep(0.3)"))
            conn.execute(text("SELECT pg_advisory_unlock_shared(42)"))

    pool = eventlet.GreenPool(4)
    for _ in range(4):
        pool.spawn(busy_neighbours)
    pool.waitall()
    assert max(seen) >= 2  # at least two held the lock at once: they did not queue up


def test_results_and_errors_come_back_as_before(engine):
    with engine.connect() as conn:
        big = conn.execute(text("SELECT repeat('时', 200000)")).scalar_one()  # many reads
        assert len(big) == 200000
        sent = conn.execute(text("SELECT length(:v)"), {"v": "x" * 20_000_000}).scalar_one()
        assert sent == 20_000_000  # a statement far larger than the socket's buffers: psycopg
        # waits to write and read at once
    with pytest.raises(Exception) as err, engine.connect() as conn:
        conn.execute(text("SELECT 1/0"))
    assert isinstance(err.value.orig, errors.DivisionByZero)


def test_a_timeout_psycopg_asks_for_ends_the_wait(database_url):
    url = database_url("notify").replace("postgresql+psycopg://", "postgresql://")
    conn = psycopg.connect(url, autocommit=True)
    try:
        conn.pgconn.send_query(b"SELECT pg_sleep(5)")
        with pytest.raises(errors._WaitTimeout):
            pg_wait.wait_on_hub(psycopg.generators.fetch_many(conn.pgconn), conn.pgconn.socket,
                                timeout=0.2)
    finally:
        conn.close()  # its backend ends the sleep when it sees the socket closed
