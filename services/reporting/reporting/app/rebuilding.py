"""Rebuilding the read model from scratch: empty its tables (``READ_MODEL_TABLES``: the facts,
service days, service records and commendation's rows), then replay the archive in
(occurred_at, event_id) order, in batches, all in one transaction. ``TRUNCATE`` locks the
tables until the commit, so live handlers and readers wait for the new figures
(never see half of them), and an event a live handler committed before is in the archive
the rebuild replays."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from timebank_common.db import UnitOfWork, UnitOfWorkFactory

from ..adapters import fact_repository
from ..adapters.fact_repository import READ_MODEL_TABLES
from ..adapters.tables import service_records
from .absorbing import apply

BATCH = 2000


def rebuild(db: UnitOfWorkFactory, now: dt.datetime, batch: int = BATCH) -> dict[str, Any]:
    """Replays every archived event; returns how many and when the newest occurred (``now``:
    the rebuilt service records' ``updated_at``)."""
    events = 0
    after: tuple[dt.datetime, str] | None = None
    with db() as uow:
        fact_repository.truncate_model(uow)
        while True:
            rows = fact_repository.archived(uow, after, batch)
            if not rows:
                break
            apply(uow, [row.envelope for row in rows], now)
            events += len(rows)
            after = (rows[-1].occurred_at, rows[-1].event_id)
        uow.commit()
    return {"events": events, "newest": after[0] if after else None}


COUNTERS = {"facts": "value", "elder_day_counts": "elders", "elder_priorities": "held"}
"""Tables of counters, and their count: a row counting 0 is the same figure as no row."""


def read_model_rows(conn, tables=READ_MODEL_TABLES) -> dict[str, set[tuple]]:
    """Every row of each table; of the ``COUNTERS`` those that count something (a counter
    whose changes cancelled out, e.g. an active-volunteer change undone by a later service,
    is the same figure as none: which such zeros are left depends on the order events
    arrived in); of ``service_records`` all but the time each row was last written."""
    def rows(table):
        if table in COUNTERS:
            return conn.execute(sa.text(
                f"SELECT * FROM {table} WHERE {COUNTERS[table]} <> 0"))  # noqa: S608
        if table == "service_records":  # updated_at: when the row was last written, not a figure
            return conn.execute(service_records.select().with_only_columns(
                *(c for c in service_records.c if c.name != "updated_at")))
        return conn.execute(sa.text(f"SELECT * FROM {table}"))  # noqa: S608 (our own names)

    return {table: {tuple(row) for row in rows(table)} for table in tables}


def differences_from_rebuild(engine: sa.Engine) -> list[str]:
    """Where the live read model differs from what ``rebuild`` makes of the event archive
    (empty: they are equal). The rebuild runs inside one transaction that is rolled back, so
    the live tables are left as they were (their handlers wait on the rebuild's locks for that
    moment). Needs TRUNCATE on the read model: the owner role (or the superuser). Used by
    ``python -m reporting.commands.rebuild --check``, the backup drill (deploy/drill.py) and
    the chaos suite's check (tests/chaos/checks.py)."""
    with engine.connect() as conn, conn.begin() as outer:
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        live = read_model_rows(conn)
        rebuild(lambda: UnitOfWork(conn), dt.datetime.now(dt.UTC))
        again = read_model_rows(conn)
        outer.rollback()
    findings = []
    for table in READ_MODEL_TABLES:
        if again[table] != live[table]:
            findings.append(f"reporting {table} differs from a rebuild: live only "
                            f"{sorted(live[table] - again[table], key=repr)[:3]}, rebuild only "
                            f"{sorted(again[table] - live[table], key=repr)[:3]}")
    return findings
