"""The export jobs' queue (the kit's ``JobQueue`` on ``export_jobs``) and the done jobs the
sweep keeps files for."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from timebank_common.jobs import DONE, JobQueue

from .tables import export_jobs


def queue(lease: dt.timedelta, max_attempts: int = 3) -> JobQueue:
    return JobQueue(export_jobs, lease=lease, max_attempts=max_attempts)


def done(uow) -> list[Any]:
    t = export_jobs
    return list(uow.execute(sa.select(t.c.id, t.c.result).where(t.c.status == DONE,
                                                                 t.c.result.isnot(None))))
