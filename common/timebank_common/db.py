"""Per-service database: engine, unit of work, outbox writes and inbox de-duplication.

One command = one unit of work (Cosmic Python): open it, change state, add the
events that change implies, commit. The events go into the ``outbox`` table in
the same transaction, so they exist if and only if the change does; the relay
(``outbox.py``) publishes them afterwards.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import select
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from psycopg.pq import ConnStatus
from sqlalchemy import Table, and_, any_, bindparam, create_engine, event, text
from sqlalchemy import exc as sql_errors
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

import timebank_common  # noqa: F401  (sets PSYCOPG_WAIT_FUNC before psycopg loads)

from . import pg_wait, regions
from .clock import Clock
from .contracts import EventContract
from .messaging_tables import inbox_table, outbox_table

# the database did not serve the request: the pool stayed full past its timeout, the server
# restarted or refused the connection, a serialization failure or deadlock — all transient
# (an RPC answers 503, ``service.rpc``; an event handler tries again without counting, ``events``)
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sql_errors.TimeoutError, sql_errors.OperationalError, sql_errors.InterfaceError)

EVENT_SCHEMA_VERSION = 1


def _unpatched_select():
    """The standard ``select`` module as it was before eventlet patched it (its green one
    yields to the hub even with no wait, and has no ``poll``); imports eventlet only if the
    process already has (a command without it warns of nothing)."""
    if "eventlet" not in sys.modules:
        return select
    return _original_select()


@functools.cache
def _original_select():
    from eventlet.patcher import original

    return original("select")


@contextmanager
def units_of_work(database_url: str) -> Iterator[UnitOfWorkFactory]:
    """A factory of units of work on a short-lived engine of its own, for a command's run."""
    engine = make_engine(database_url, pool_size=1)
    try:
        yield lambda: UnitOfWork(engine)
    finally:
        engine.dispose()


def make_engine(url: str, pool_size: int = 10, max_overflow: int | None = None) -> Engine:
    """The service's engine: ``pool_size`` connections kept, ``max_overflow`` (default: as
    many) more opened when all are busy and closed after use (a new connection each time:
    a service's pool should hold as many as it has workers, ``deploy/config``)."""
    # No pre-ping: it costs a round trip per checkout (measured ~15% of a balance read).
    # Instead ``_drop_if_closed`` looks, without a round trip, whether the server has closed a
    # pooled connection (a restart, a terminated backend): such a connection is replaced
    # before a request uses it, where it used to fail that request with a 500.
    # Custom plans only: psycopg prepares a statement after 5 runs, and PostgreSQL may then
    # keep a generic plan made while a table was small. Without fresh statistics (autovacuum
    # off, as on the CI machines) nothing replaces it, and a lookup of 200 ids by primary key
    # stayed a sequential scan as the table grew (1.4 s per batch at 100,000 transfers).
    # hide_parameters: a failed statement's error (and so its log line) names no parameter —
    # they are people's names, phones and ID numbers (issue 15 item 8).
    pg_wait.install()  # statements wait on the eventlet hub itself (not green select)
    overflow = pool_size if max_overflow is None else max_overflow
    engine = create_engine(url, pool_size=pool_size, max_overflow=overflow, pool_pre_ping=False,
                           hide_parameters=True,
                           connect_args={"options": "-c plan_cache_mode=force_custom_plan"})
    event.listen(engine, "checkout", _drop_if_closed)
    return engine


def _drop_if_closed(dbapi_connection, record, proxy) -> None:
    """Pool checkout: raise ``DisconnectionError`` (the pool then connects that slot again and
    hands out the new connection) when the server closed this idle connection.

    Why not ``pool_pre_ping``: a ``SELECT 1`` round trip per checkout. A restarting server
    (or ``pg_terminate_backend``) sends its FATAL message and closes the socket, so an idle
    connection's socket has something to read; a healthy idle one has nothing (no LISTEN in
    the platform). One ``poll`` with no wait tells (the unpatched one: eventlet's would yield
    to the hub). A server that is merely silent (paused, cut off) is not detected: the
    statement then waits, as it would have anyway."""
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:  # not psycopg 3
        return
    if pgconn.status != ConnStatus.OK:
        raise DisconnectionError("connection closed / 连接已关闭")
    unpatched = _unpatched_select()
    poller = unpatched.poll()
    poller.register(pgconn.socket, unpatched.POLLIN | unpatched.POLLERR | unpatched.POLLHUP)
    if poller.poll(0):
        raise DisconnectionError("server closed the connection / 服务器已关闭连接")


def ensure_database(url: str) -> bool:
    """Create the database if it does not exist (True if it was created): for test harnesses
    and benchmarks connecting as a superuser, never called by a platform process (those use a
    database provisioned once by ``deploy/databases.py``)."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT",
                          hide_parameters=True)
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).scalar()
            if exists:
                return False
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
            return True
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT",
                          hide_parameters=True)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def make_event(event_type: str, payload: dict, region_code: str | None,
               version: int = EVENT_SCHEMA_VERSION,
               occurred_at: dt.datetime | None = None) -> dict:
    """The envelope every event carries (DESIGN.md §3); ``occurred_at`` by the producer's
    clock (default: the machine's)."""
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "occurred_at": (occurred_at or utcnow()).isoformat(),
        "v": version,
        "region_code": region_code,
        "payload": payload,
    }


_READ_ONLY_SESSION = "timebank_read_only_session"
"""Key in a pooled connection's ``info`` (cleared when the pool replaces the connection):
its session is ``default_transaction_read_only`` (``UnitOfWork.reading``)."""


class ReadOnlyUnitOfWork(RuntimeError):
    """A unit of work opened with ``reading()`` was asked to commit or emit: a bug in the use
    case (it should take a unit of work), never a caller's error."""


UnitOfWorkFactory = Callable[[], "UnitOfWork"]
"""What use cases take first (``db``): called as ``with db() as uow:``, one transaction each.
A service passes ``self.db``; a test passes ``uow_factory("<service>")``."""


def one_of(column, values):
    """``column = ANY(:array)``: like ``column.in_(values)`` with one array parameter instead
    of one parameter per value, so a 200-id lookup is one short statement for SQLAlchemy to
    render and psycopg to send (and the same text every time, whatever the count)."""
    return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))


def within_unit(column: Any, region_code: str) -> ColumnElement[bool]:
    """SQL condition: ``column`` lies in the region **by management unit**
    (``regions.unit_chain``): its prefix, without the city-level units carved out of it
    (石家庄 without 辛集, 保定 without 定州)."""
    condition = within(column, regions.prefix_of(region_code))
    for unit in regions.carved_out(region_code):
        condition = and_(condition, ~within(column, unit))
    return condition


def within(column: Any, prefix: str) -> ColumnElement[bool]:
    """SQL condition: ``column`` starts with ``prefix`` (a scope's significant digits, from
    ``prefix_of``; a full 12-digit code selects that code alone).

    Written as the range ``prefix <= column < next_prefix(prefix)``, which a btree index on
    the column (or leading with it) serves; ``LIKE 'prefix%'`` / ``startswith`` is not, under
    the C.UTF-8 collation. For digit strings at least as long as the prefix (every region
    code has 12 digits) the two select the same rows, in any collation: the bounds are digit
    strings too. Rows whose column is NULL are not selected, as with LIKE.

    An empty prefix selects every row with a value; a prefix that is not ASCII digits (never
    one from ``prefix_of`` on a code) falls back to an escaped ``LIKE``, with the same rows.
    """
    if prefix == "":
        return column.is_not(None)
    if not regions.is_digits(prefix):
        return column.startswith(prefix, autoescape=True)
    upper = regions.next_prefix(prefix)
    if upper is None:
        return column >= prefix
    return and_(column >= prefix, column < upper)


def _json_value(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)  # UUID, Decimal


def insert_rows(executor, table: Table, rows: Sequence[dict], suffix: str = ""):
    """Insert many rows in one statement with a single parameter, the rows as one JSON
    document: ``INSERT INTO t (a, b) SELECT a, b FROM json_to_recordset(:rows) AS r(a type,
    b type)``.

    Why: psycopg's ``executemany`` (what SQLAlchemy does for a list of rows without
    RETURNING) sends one INSERT per row down a pipeline — 200 transfers cost 200 server
    executions and as many waits; a multi-VALUES insert has a parameter per value for
    SQLAlchemy to compile and psycopg to adapt one by one. Here the statement text depends
    only on the columns, and the rows are encoded by the json module's C encoder and parsed
    by PostgreSQL's. ``executor`` is a unit of work, session or connection; every row has
    the first row's keys; ``suffix`` is appended (``ON CONFLICT ...``, ``RETURNING ...``).
    Returns the result."""
    columns = list(rows[0])
    dialect = postgresql.dialect()
    definitions = ", ".join(f"{name} {table.c[name].type.compile(dialect=dialect)}"
                            for name in columns)
    statement = (f'INSERT INTO {table.name} ({", ".join(columns)}) '
                 f'SELECT {", ".join(columns)} FROM json_to_recordset(CAST(:rows AS json)) '
                 f'AS r({definitions}) {suffix}')
    document = json.dumps([{name: row[name] for name in columns} for row in rows],
                          default=_json_value, ensure_ascii=False)
    return executor.execute(text(statement), {"rows": document})


class UnitOfWork:
    """A transaction on the service's database, with outbox and inbox helpers.

    Usage::

        with uow_factory() as uow:
            uow.session.execute(...)
            uow.emit("service_recorded", {...}, region_code)
            uow.commit()

    Leaving the block without ``commit()`` rolls everything back. ``bind`` is the service's
    engine; tests give a connection already in a transaction, and the unit of work is then a
    savepoint in it (``timebank_testing.database``).

    ``with db().reading() as uow:`` is a unit of work that only reads (``reading``).
    """

    def __init__(self, bind: Engine | Connection, correlation_id: str | None = None,
                 on_commit: Callable[[], None] | None = None, clock: Clock | None = None,
                 traceparent: str | None = None):
        self._bind = bind
        self._correlation_id = correlation_id
        self._traceparent = traceparent  # the writing span's: the event continues its trace
        self._on_commit = on_commit
        self._clock = clock  # the events' occurred_at (None: the machine's clock)
        self._pending_events: list[dict] = []
        self._events_written = False
        self._read_only = False
        self._connection: Connection | None = None  # reading on the engine: its own connection
        self.session: Session  # opened by ``with``

    def reading(self) -> UnitOfWork:
        """Make this unit of work read-only, before ``with``: ``with db().reading() as uow:``.

        Why: a balance read in a unit of work costs three round trips to PostgreSQL —
        ``BEGIN``, the ``SELECT``, ``ROLLBACK`` — and the two around the query were a third of
        the ledger's database time on the gateway's hottest GET (tests/perf/bench_gateway.py).
        Reading, each statement runs on an autocommit connection: one round trip each.

        What it gives up: nothing at our isolation level. The service's transactions are READ
        COMMITTED (PostgreSQL's default, which ``make_engine`` keeps), where every statement
        takes its own snapshot inside a transaction too; so a read of several statements sees
        exactly what it would in a transaction — each statement one consistent state, two
        statements possibly two states (a statement's page and its count). A use case that
        needs several statements to agree, or reads to decide a write, takes a unit of work.

        Writes are refused by PostgreSQL, not by us: the connection's session is made
        ``default_transaction_read_only`` (once per physical connection: one round trip in its
        life), so an ``INSERT``, ``UPDATE``, ``DELETE``, a ``SELECT ... FOR UPDATE`` or a
        writing function fails with "cannot execute ... in a read-only transaction"
        (``sqlalchemy.exc.InternalError``); ``commit()`` and ``emit()`` raise before any SQL.
        The driver is told to open that connection's later transactions with ``BEGIN READ
        WRITE`` (the same round trip as ``BEGIN``), so the units of work that write on it
        afterwards write as before. Inside a test's transaction (a ``Connection`` bind) the
        unit of work is a savepoint made ``transaction_read_only``, rolled back on leaving.
        """
        self._read_only = True
        return self

    def __enter__(self) -> UnitOfWork:
        if self._read_only:
            self._enter_reading()
            return self
        if isinstance(self._bind, Connection):  # inside a test's transaction: a savepoint
            self.session = Session(bind=self._bind, expire_on_commit=False,
                                   join_transaction_mode="create_savepoint")
        else:
            self.session = Session(self._bind, expire_on_commit=False)
        self.session.begin()
        return self

    def _enter_reading(self) -> None:
        if isinstance(self._bind, Connection):
            self.session = Session(bind=self._bind, expire_on_commit=False,
                                   join_transaction_mode="create_savepoint")
            self.session.begin()
            # reverts when the savepoint rolls back (always: reading never commits)
            self.session.execute(text("SET LOCAL transaction_read_only = on"))
            return
        connection = self._bind.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            if not connection.info.get(_READ_ONLY_SESSION):  # the physical connection's
                connection.exec_driver_sql("SET SESSION default_transaction_read_only = on")
                connection.commit()  # SQLAlchemy's implicit transaction; the SET is in force
                connection.connection.dbapi_connection.read_only = False  # type: ignore[union-attr]
                connection.info[_READ_ONLY_SESSION] = True
        except BaseException:
            connection.close()
            raise
        # statements go to the connection itself (``execute``): an ORM session's begin,
        # rollback and close were a third of what remained of a balance read's unit of work;
        # one is made only if a repository asks for ``uow.session`` (``__getattr__``)
        self._connection = connection

    def __getattr__(self, name: str) -> Any:
        if name == "session" and self.__dict__.get("_connection") is not None:
            session = Session(bind=self._connection, expire_on_commit=False)
            self.session = session
            return session
        raise AttributeError(name)

    def __exit__(self, *exc) -> None:
        session = self.__dict__.get("session")
        try:
            if session is not None and session.in_transaction():
                session.rollback()
        finally:
            if session is not None:
                session.close()
            if self._connection is not None:
                self._connection.close()  # back to the pool, which restores its isolation level
                self._connection = None

    def execute(self, statement, params=None):
        if self._connection is not None and "session" not in self.__dict__:
            return self._connection.execute(statement, params)
        return self.session.execute(statement, params)

    def emit(self, event: str | EventContract, payload: Any, region_code: str | None) -> dict:
        """Record an event to publish once this unit of work commits: ``event`` is the
        producer's ``EventContract`` (``payload`` is dumped with its schema and must load with
        it: ``EventRefused`` otherwise) or a type name (``payload`` already the JSON-safe dict).

        The outbox rows are written at ``commit()``, all in one statement, inside the
        same transaction: an event exists exactly when the change that caused it does."""
        self._refuse_if_reading("emit")
        if isinstance(event, EventContract):
            event_type, payload, version = event.name, event.dump_checked(payload), event.version
        else:
            event_type, version = event, EVENT_SCHEMA_VERSION
        envelope = make_event(event_type, payload, region_code, version,
                              self._clock.now() if self._clock is not None else None)
        headers = {"correlation_id": self._correlation_id} if self._correlation_id else {}
        if self._traceparent:
            headers["traceparent"] = self._traceparent
        self._pending_events.append({"id": uuid.UUID(envelope["event_id"]),
                                     "event_type": event_type, "body": envelope,
                                     "headers": headers})
        return envelope

    def first_delivery(self, consumer: str, event_id: str) -> bool:
        """Record that ``consumer`` handles ``event_id``; False if it already did.

        Because the row is written in this transaction, the event counts as
        handled exactly when the handler's effect commits.
        """
        stmt = (
            insert(inbox_table)
            .values(consumer=consumer, event_id=str(event_id))
            .on_conflict_do_nothing()
            .returning(inbox_table.c.event_id)
        )
        return self.session.execute(stmt).first() is not None

    def first_deliveries(self, consumer: str, event_ids: list[str]) -> set[str]:
        """``first_delivery`` for many events in one statement: the ids new to ``consumer``."""
        if not event_ids:
            return set()
        rows = [{"consumer": consumer, "event_id": str(e)} for e in dict.fromkeys(event_ids)]
        return {row[0] for row in insert_rows(self.session, inbox_table, rows,
                                              "ON CONFLICT DO NOTHING RETURNING event_id")}

    def write_events(self) -> None:
        """Write the events emitted so far to the outbox now, rather than at ``commit()``
        (for a caller that takes hot locks afterwards and wants to hold them briefly)."""
        pending, self._pending_events = self._pending_events, []
        if pending:
            insert_rows(self.session, outbox_table, pending)
            self._events_written = True

    @contextmanager
    def savepoint(self) -> Iterator[UnitOfWork]:
        """A part of this unit of work undone on its own when it raises: its writes (a
        SAVEPOINT) and the events it emitted, the rest of the unit of work going on (an
        import's refused row among the good ones of its chunk)."""
        mark = len(self._pending_events)
        nested = self.session.begin_nested()
        try:
            yield self
        except BaseException:
            nested.rollback()
            del self._pending_events[mark:]
            raise
        nested.commit()

    def nested(self) -> UnitOfWorkFactory:
        """A factory of units of work inside this one's transaction, each a savepoint (as in
        a test's rolled-back transaction): what they commit becomes durable only when this one
        commits, and the relay is woken then. ``idempotency.once`` runs a create so, with its
        key row in the same transaction."""
        connection = self.session.connection()

        def make() -> UnitOfWork:
            return UnitOfWork(connection, self._correlation_id, on_commit=self._inner_emitted,
                              clock=self._clock, traceparent=self._traceparent)

        return make

    def _inner_emitted(self) -> None:
        self._events_written = True

    def _refuse_if_reading(self, what: str) -> None:
        if self._read_only:
            raise ReadOnlyUnitOfWork(f"{what}() in a unit of work opened with reading()")

    def commit(self) -> None:
        self._refuse_if_reading("commit")
        self.write_events()
        emitted, self._events_written = self._events_written, False
        self.session.commit()
        if emitted and self._on_commit:
            self._on_commit()
