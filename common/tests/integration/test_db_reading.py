"""``UnitOfWork.reading``: a read in one round trip per statement (no BEGIN, no ROLLBACK),
refused by PostgreSQL itself when it tries to write, without changing what the units of work
that write afterwards on the same pooled connection can do; and inside a test's rolled-back
transaction the same refusals."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import InternalError

from timebank_common.db import ReadOnlyUnitOfWork, UnitOfWork, make_engine

# xact_start is when the session's transaction began; in autocommit a statement is its own
# transaction, so it began with the statement (query_start); after a BEGIN it began earlier
STARTED_WITH_STATEMENT = text(
    "SELECT xact_start = query_start, pg_backend_pid() FROM pg_stat_activity "
    "WHERE pid = pg_backend_pid()")
OUTBOX_ROW = text(
    "INSERT INTO outbox (id, event_type, body, headers) "
    "VALUES (:id, 'reading_test', '{}', '{}')")


@pytest.fixture
def engine(database_url):
    """The kit's engine on one pooled connection (overflow none), so every unit of work of a
    test runs on the same physical connection."""
    made = make_engine(database_url("notify"), pool_size=1, max_overflow=0)
    yield made
    made.dispose()


def test_reading_sends_each_statement_alone_where_a_unit_of_work_begins_first(engine):
    with UnitOfWork(engine).reading() as uow:
        alone, reading_pid = uow.execute(STARTED_WITH_STATEMENT).one()
    with UnitOfWork(engine) as uow:
        uow.execute(text("SELECT 1"))  # the transaction begins before this statement
        began_before, writing_pid = uow.execute(STARTED_WITH_STATEMENT).one()
    assert (alone, began_before) == (True, False)
    assert reading_pid == writing_pid  # the same connection, back from the pool


@pytest.mark.parametrize("statement", [
    OUTBOX_ROW,
    text("UPDATE outbox SET sent_at = now() WHERE id = :id"),
    text("DELETE FROM outbox WHERE id = :id"),
    text("SELECT id FROM outbox WHERE id = :id FOR UPDATE"),
])
def test_a_write_while_reading_is_refused_by_the_database(engine, statement):
    row = uuid.uuid4()
    with pytest.raises(InternalError, match="read-only transaction"), \
            UnitOfWork(engine).reading() as uow:
        uow.execute(statement, {"id": row})
    with UnitOfWork(engine).reading() as uow:  # nothing written, the connection still good
        assert uow.execute(text("SELECT count(*) FROM outbox WHERE id = :id"),
                           {"id": row}).scalar() == 0


def test_commit_and_emit_while_reading_raise_before_any_sql(engine):
    with UnitOfWork(engine).reading() as uow:
        with pytest.raises(ReadOnlyUnitOfWork):
            uow.emit("reading_test", {}, None)
        with pytest.raises(ReadOnlyUnitOfWork):
            uow.commit()


def test_a_unit_of_work_writes_on_a_connection_that_was_reading(engine):
    """The session's default is read-only after a read; the units of work that follow open
    ``BEGIN READ WRITE`` and write (rolled back here: nothing is left in the database)."""
    with UnitOfWork(engine).reading() as uow:
        assert uow.execute(text("SHOW default_transaction_read_only")).scalar() == "on"
    row = uuid.uuid4()
    with UnitOfWork(engine) as uow:
        assert uow.execute(text("SHOW transaction_read_only")).scalar() == "off"
        uow.execute(OUTBOX_ROW, {"id": row})
        assert uow.execute(text("SELECT count(*) FROM outbox WHERE id = :id"),
                           {"id": row}).scalar() == 1
    with UnitOfWork(engine).reading() as uow:  # left without commit: rolled back
        assert uow.execute(text("SELECT count(*) FROM outbox WHERE id = :id"),
                           {"id": row}).scalar() == 0


def test_reading_inside_a_tests_transaction_refuses_writes_and_sees_its_rows(uow_factory):
    db = uow_factory("notify")
    row = uuid.uuid4()
    with db() as uow:
        uow.execute(OUTBOX_ROW, {"id": row})
        uow.commit()
    with db().reading() as uow:
        assert uow.execute(text("SELECT count(*) FROM outbox WHERE id = :id"),
                           {"id": row}).scalar() == 1
    with pytest.raises(InternalError, match="read-only transaction"), db().reading() as uow:
        uow.execute(text("DELETE FROM outbox WHERE id = :id"), {"id": row})
    with db() as uow:  # the refusal undone with its savepoint: the test's transaction writes
        uow.execute(text("DELETE FROM outbox WHERE id = :id"), {"id": row})
        uow.commit()
    with db().reading() as uow:
        assert uow.execute(text("SELECT count(*) FROM outbox WHERE id = :id"),
                           {"id": row}).scalar() == 0


def test_a_repository_asking_for_the_session_while_reading_gets_one_on_the_same_terms(engine):
    """Reading runs statements on the connection itself; ``uow.session`` (a repository that
    needs the ORM session) is made on demand, on the same autocommit read-only connection."""
    with UnitOfWork(engine).reading() as uow:
        alone, _ = uow.session.execute(STARTED_WITH_STATEMENT).one()
        assert alone is True
        assert uow.execute(text("SELECT 1")).scalar() == 1  # through the session now
        with pytest.raises(InternalError, match="read-only transaction"):
            uow.session.execute(OUTBOX_ROW, {"id": uuid.uuid4()})
