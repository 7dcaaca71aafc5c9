"""Import jobs' SQL: the jobs table's queue (``timebank_common.jobs``), the uploaded file
(sealed with the personal-data keys) and the outcome of every line."""
from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, select, update

from timebank_common.db import UnitOfWork, insert_rows
from timebank_common.jobs import JobQueue

from . import personal_data
from .tables import import_files, import_job_rows, import_jobs

QUEUE = JobQueue(import_jobs)


def store_file(uow: UnitOfWork, job_id: str, file_name: str, content: bytes) -> None:
    sealed = personal_data.keys().cipher.encrypt(base64.b64encode(content).decode("ascii"))
    uow.execute(import_files.insert().values(job_id=job_id, file_name=file_name,
                                             size_bytes=len(content), content_enc=sealed))


def file_of(uow: UnitOfWork, job_id: str) -> tuple[str, bytes | None]:
    """The file's name and content (None once the job has ended)."""
    row = uow.execute(select(import_files).where(import_files.c.job_id == job_id)).one()
    if row.content_enc is None:
        return row.file_name, None
    opened = personal_data.keys().cipher.decrypt(row.content_enc) or ""
    return row.file_name, base64.b64decode(opened)


def drop_file(uow: UnitOfWork, job_id: str) -> None:
    uow.execute(update(import_files).where(import_files.c.job_id == job_id)
                .values(content_enc=None))


def file_names(uow: UnitOfWork, job_ids: Sequence[str]) -> dict[str, str]:
    rows = uow.execute(select(import_files.c.job_id, import_files.c.file_name)
                       .where(import_files.c.job_id.in_(list(job_ids))))
    return {r.job_id: r.file_name for r in rows}


def add_outcomes(uow: UnitOfWork, rows: Sequence[Mapping[str, Any]]) -> None:
    """The outcomes of a chunk's lines (a line already recorded is an error: done twice)."""
    if rows:
        insert_rows(uow.session, import_job_rows, [dict(r) for r in rows])


def counts(uow: UnitOfWork, job_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """Per job, how many lines had each outcome."""
    t = import_job_rows
    out: dict[str, dict[str, int]] = {}
    for row in uow.execute(select(t.c.job_id, t.c.outcome, func.count())
                           .where(t.c.job_id.in_(list(job_ids)))
                           .group_by(t.c.job_id, t.c.outcome)):
        out.setdefault(row[0], {})[row[1]] = row[2]
    return out


def refused_page(uow: UnitOfWork, job_id: str, page: int, page_size: int
                 ) -> tuple[list[Any], int]:
    t = import_job_rows
    cond = (t.c.job_id == job_id) & (t.c.outcome == "refused")
    total = uow.execute(select(func.count()).select_from(t).where(cond)).scalar_one()
    rows = list(uow.execute(select(t.c.line, t.c.code, t.c.zh, t.c.en).where(cond)
                            .order_by(t.c.line).limit(page_size)
                            .offset((page - 1) * page_size)))
    return rows, total


def delete_outcomes(uow: UnitOfWork, job_id: str) -> None:
    uow.execute(delete(import_job_rows).where(import_job_rows.c.job_id == job_id))


def jobs_in(uow: UnitOfWork, job_ids: Sequence[str]) -> list[Any]:
    return list(uow.execute(select(import_jobs).where(import_jobs.c.id.in_(list(job_ids)))))
