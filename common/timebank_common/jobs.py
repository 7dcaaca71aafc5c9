"""Background jobs that survive a restart: a table per service, claimed under a lease.

A long piece of work a person asked for (an export of a million rows, an import of a file)
runs as a **job**: the request writes a ``queued`` row and answers at once; a timer in the
service claims it and reports its progress as it goes; the person polls the job. Each service
keeps its jobs in its own database (``job_table(metadata, name)`` in its ``tables.py``,
``create_job_table(op, name)`` in its migration), and ``JobQueue`` is all the SQL:

* ``claim`` takes the oldest ``queued`` job, or a ``running`` one whose **lease** ran out
  (its process died or hung), with ``FOR UPDATE SKIP LOCKED``, so several processes never
  take one job; it sets ``running``, a new lease and ``attempts + 1``. A job that has
  already been tried ``max_attempts`` times and lost its lease again is marked ``failed``
  instead of being taken (a file that kills the process must not kill every restart);
* ``progress`` commits how far the job is (rows done, the total when known, and a
  ``checkpoint`` the job may resume from) and renews the lease; it answers False when the
  lease is no longer the caller's (another process took the job over: stop at once);
* ``finish`` and ``fail`` end it, again only for the lease holder.

Every call is its own short unit of work (the caller passes ``db``, the service's unit-of-work
factory), so progress is visible while the job runs and survives the process. The clock is
passed in. What a job does, and how it resumes from its checkpoint, is the service's.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB

from .db import UnitOfWorkFactory

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUSES = (QUEUED, RUNNING, DONE, FAILED)


def _columns() -> list[Column]:
    return [
        Column("id", String(36), primary_key=True),
        Column("kind", String(40), nullable=False),
        Column("status", String(10), nullable=False),
        Column("params", JSONB, nullable=False),
        Column("requested_by", String(64)),  # the caller's subject (null: a command or timer)
        Column("caller", JSONB),  # the caller as the job must act for it (role, scope)
        Column("rows_done", Integer, nullable=False, server_default="0"),
        Column("total_rows", Integer),  # null until known
        Column("checkpoint", JSONB),  # where a resumed attempt may start (the job's own)
        Column("result", JSONB),  # what a finished job produced (file name, counts...)
        Column("error", JSONB),  # {code, zh, en} of a failed job
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("lease_owner", String(64)),
        Column("lease_until", DateTime(timezone=True)),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("started_at", DateTime(timezone=True)),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        Column("finished_at", DateTime(timezone=True)),
    ]


def job_table(metadata: MetaData, name: str) -> Table:
    """The jobs table as the service's code names it."""
    return Table(name, metadata, *_columns())


def create_job_table(op: Any, name: str) -> None:
    """Create a jobs table from a service's Alembic migration (with the index ``claim`` uses
    and one for a person's own jobs)."""
    op.create_table(name, *_columns())
    op.create_index(f"{name}_claimable", name, ["status", "created_at"],
                    postgresql_where=text(f"status IN ('{QUEUED}', '{RUNNING}')"))
    op.create_index(f"{name}_by_requester", name, ["requested_by", "created_at"])


def percent(rows_done: int, total_rows: int | None, status: str) -> int | None:
    """How far a job is, 0–100 (100 only once done; None while the total is unknown)."""
    if status == DONE:
        return 100
    if not total_rows:
        return None if total_rows is None else 0
    return min(99, rows_done * 100 // total_rows)


@dataclass(frozen=True)
class Claimed:
    """A job this process holds until ``lease_until`` (renewed by ``progress``)."""

    id: str
    kind: str
    params: dict
    caller: dict | None
    checkpoint: Any
    attempts: int
    owner: str


class JobQueue:
    """The SQL of one service's jobs table (see the module's docstring)."""

    def __init__(self, table: Table, lease: dt.timedelta = dt.timedelta(seconds=60),
                 max_attempts: int = 3):
        self.table = table
        self.lease = lease
        self.max_attempts = max_attempts

    def enqueue(self, db: UnitOfWorkFactory, kind: str, params: Mapping[str, Any],
                now: dt.datetime, requested_by: str | None = None,
                caller: Mapping[str, Any] | None = None, job_id: str | None = None) -> str:
        job_id = job_id or str(uuid.uuid4())
        with db() as uow:
            self.add(uow, kind, params, now, requested_by, caller, job_id)
            uow.commit()
        return job_id

    def add(self, uow: Any, kind: str, params: Mapping[str, Any], now: dt.datetime,
            requested_by: str | None = None, caller: Mapping[str, Any] | None = None,
            job_id: str | None = None) -> str:
        """``enqueue`` inside the caller's own unit of work (with an idempotency key, say)."""
        job_id = job_id or str(uuid.uuid4())
        uow.execute(self.table.insert().values(
            id=job_id, kind=kind, status=QUEUED, params=dict(params),
            requested_by=requested_by, caller=dict(caller) if caller is not None else None,
            created_at=now, updated_at=now))
        return job_id

    def claim(self, db: UnitOfWorkFactory, now: dt.datetime, owner: str,
              kinds: tuple[str, ...] | None = None) -> Claimed | None:
        t = self.table
        claimable = or_(t.c.status == QUEUED,
                        and_(t.c.status == RUNNING, t.c.lease_until < now))
        if kinds is not None:
            claimable = and_(claimable, t.c.kind.in_(kinds))
        with db() as uow:
            while True:
                row = uow.execute(select(t).where(claimable).order_by(t.c.created_at)
                                  .limit(1).with_for_update(skip_locked=True)).first()
                if row is None:
                    uow.commit()  # the jobs given up on, if any
                    return None
                if row.attempts >= self.max_attempts:  # it died every time it was tried
                    uow.execute(update(t).where(t.c.id == row.id).values(
                        status=FAILED, finished_at=now, updated_at=now, lease_owner=None,
                        lease_until=None, error={
                            "code": "job_gave_up",
                            "zh": f"任务已尝试 {row.attempts} 次仍未完成，已停止",
                            "en": f"The job did not finish in {row.attempts} attempts"}))
                    continue
                uow.execute(update(t).where(t.c.id == row.id).values(
                    status=RUNNING, attempts=row.attempts + 1, lease_owner=owner,
                    lease_until=now + self.lease, updated_at=now,
                    started_at=func.coalesce(t.c.started_at, now)))
                uow.commit()
                return Claimed(row.id, row.kind, row.params, row.caller, row.checkpoint,
                               row.attempts + 1, owner)

    def _held(self, job: Claimed):
        t = self.table
        return and_(t.c.id == job.id, t.c.status == RUNNING, t.c.lease_owner == job.owner)

    def progress(self, db: UnitOfWorkFactory, job: Claimed, now: dt.datetime, rows_done: int,
                 total_rows: int | None = None, checkpoint: Any = None) -> bool:
        """Commit how far the job is and renew its lease; False: the job is no longer ours."""
        values: dict[str, Any] = {"rows_done": rows_done, "lease_until": now + self.lease,
                                  "updated_at": now}
        if total_rows is not None:
            values["total_rows"] = total_rows
        if checkpoint is not None:
            values["checkpoint"] = checkpoint
        with db() as uow:
            held = uow.execute(update(self.table).where(self._held(job)).values(**values)
                               ).rowcount
            uow.commit()
        return bool(held)

    def finish(self, db: UnitOfWorkFactory, job: Claimed, now: dt.datetime,
               result: Mapping[str, Any], rows_done: int | None = None) -> bool:
        values: dict[str, Any] = {"status": DONE, "result": dict(result), "finished_at": now,
                                  "updated_at": now, "lease_owner": None, "lease_until": None}
        if rows_done is not None:
            values["rows_done"] = rows_done
        return self._end(db, job, values)

    def fail(self, db: UnitOfWorkFactory, job: Claimed, now: dt.datetime, code: str, zh: str,
             en: str) -> bool:
        return self._end(db, job, {
            "status": FAILED, "error": {"code": code, "zh": zh, "en": en}, "finished_at": now,
            "updated_at": now, "lease_owner": None, "lease_until": None})

    def _end(self, db: UnitOfWorkFactory, job: Claimed, values: dict[str, Any]) -> bool:
        with db() as uow:
            held = uow.execute(update(self.table).where(self._held(job)).values(**values)
                               ).rowcount
            uow.commit()
        return bool(held)

    def get(self, uow: Any, job_id: str) -> Any:
        return uow.execute(select(self.table).where(self.table.c.id == job_id)).first()

    def of_requester(self, uow: Any, requested_by: str, limit: int = 50) -> list[Any]:
        t = self.table
        return list(uow.execute(select(t).where(t.c.requested_by == requested_by)
                                .order_by(t.c.created_at.desc()).limit(limit)))
