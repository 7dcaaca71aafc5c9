"""Export jobs: asking for one (checked, then queued), reading them, the runner that writes the
file, the download in chunks and the sweep of expired files.

The runner (``run_next``) claims a job with the kit's ``JobQueue`` (a lease; a job whose
process died is taken over once its lease runs out), streams the kind's rows into a temporary
file beside the final one, commits its progress every ``every`` rows (stopping at once when
the queue answers that the job is no longer its own), and renames the file into place only
when it is whole; then the job is ``done`` with its file name, size and expiry in ``result``.
A job that cannot be done (bad params, a refusal, a kind no longer registered) fails with its
zh + en reason; any other error is a bug, logged, and the job fails as ``export_failed``."""
from __future__ import annotations

import base64
import datetime as dt
import logging
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from timebank_common.caller import Caller
from timebank_common.errors import Conflict, DomainError, NotFound
from timebank_common.jobs import DONE, FAILED, Claimed, JobQueue, percent
from timebank_common.schemas import load

from ..adapters import export_repository
from ..adapters.export_writers import WRITERS
from ..contracts import CHUNK_BYTES, MEDIA_TYPES, REPORT_READERS
from .export_tables import ExportContext, no_rpc, table_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    """``EXPORTS`` in reporting.yaml: where files go, how often the timer looks, the lease,
    how long a file is kept, and how often progress is committed."""

    dir: str = "var/exports"
    poll_seconds: float = 2.0
    lease_seconds: float = 120.0
    keep_days: float = 7.0
    every: int = 5000

    @classmethod
    def of(cls, config: Mapping[str, Any] | None) -> Settings:
        given = dict((config or {}).get("EXPORTS") or {})
        known = {k: given[k] for k in cls.__dataclass_fields__ if given.get(k) is not None}
        settings = cls(**known)
        return cls(str(settings.dir), float(settings.poll_seconds),
                   float(settings.lease_seconds), float(settings.keep_days), int(settings.every))

    def queue(self) -> JobQueue:
        return export_repository.queue(dt.timedelta(seconds=self.lease_seconds))


def requester(caller: Caller) -> str:
    """Whose job it is: the person, or the API client."""
    return caller.person_id or f"client:{caller.client_id}"


def start_export(db, caller: Caller, request: Mapping[str, Any], now: dt.datetime,
                 queue: JobQueue) -> dict[str, Any]:
    """Check the kind, its params and the caller's right to them; queue the job."""
    table = table_of(request["kind"])
    params = load(table.params(), request["params"])
    table.check(caller, params)
    job_params = {"format": request["format"], "params": dict(request["params"])}
    with db() as uow:
        job_id = queue.add(uow, table.kind, job_params, now, requested_by=requester(caller),
                           caller=caller.to_dict())
        row = queue.get(uow, job_id)
        uow.commit()
    return job_out(row)


def job_out(row: Any) -> dict[str, Any]:
    result = row.result or {}
    expires = result.get("expires_at")
    return {
        "id": row.id, "kind": row.kind, "format": row.params["format"], "status": row.status,
        "percent": percent(row.rows_done, row.total_rows, row.status), "rows": row.rows_done,
        "total_rows": row.total_rows, "params": row.params["params"],
        "created_at": row.created_at, "started_at": row.started_at,
        "finished_at": row.finished_at,
        "expires_at": dt.datetime.fromisoformat(expires) if expires else None,
        "file_name": result.get("file_name"), "size_bytes": result.get("size_bytes"),
        "error": row.error,
    }


def _own(uow, caller: Caller, job_id: str, queue: JobQueue) -> Any:
    """The caller's own job (someone else's is not found: its existence is not told), while
    the caller is still a supervisor of its region."""
    caller.require(*REPORT_READERS)
    row = queue.get(uow, job_id)
    if row is None or row.requested_by != requester(caller):
        raise NotFound("export_not_found", "没有找到该导出任务", "No such export job",
                       {"id": job_id})
    region = (row.params.get("params") or {}).get("region_code")
    if isinstance(region, str):
        caller.require_scope(region)
    return row


def export_job(db, caller: Caller, job_id: str, queue: JobQueue) -> dict[str, Any]:
    with db() as uow:
        return job_out(_own(uow, caller, job_id, queue))


def list_exports(db, caller: Caller, queue: JobQueue, limit: int = 50) -> dict[str, Any]:
    caller.require(*REPORT_READERS)
    with db() as uow:
        return {"items": [job_out(row) for row in queue.of_requester(uow, requester(caller),
                                                                     limit)]}


def file_chunk(db, caller: Caller, job_id: str, offset: int, settings: Settings,
               queue: JobQueue, now: dt.datetime) -> dict[str, Any]:
    """Up to ``CHUNK_BYTES`` of a done job's file from ``offset``; 409 ``export_not_ready``
    before it is done, 410-like 409 ``export_expired`` once its file is gone."""
    with db() as uow:
        row = _own(uow, caller, job_id, queue)
    if row.status != DONE:
        raise Conflict("export_not_ready", "导出尚未完成，请稍后再下载",
                       "The export is not done yet; download it once it is",
                       {"status": row.status})
    path = Path(settings.dir) / row.result["file"]
    expires = dt.datetime.fromisoformat(row.result["expires_at"])
    if now >= expires or not path.exists():
        raise Conflict("export_expired", "导出文件已过期，请重新导出",
                       "The export's file has expired; ask for it again", {"id": job_id})
    size = int(row.result["size_bytes"])
    offset = max(0, min(offset, size))
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read(CHUNK_BYTES)
    return {"data": base64.b64encode(data).decode("ascii"), "offset": offset,
            "next_offset": offset + len(data), "size_bytes": size,
            "eof": offset + len(data) >= size, "file_name": row.result["file_name"],
            "media_type": MEDIA_TYPES[row.params["format"]]}


# -- the runner --------------------------------------------------------------------------------

class LostLease(Exception):
    """The job was taken over by another process: stop, leave it to that one."""


def _counted(rows: Iterator[Mapping[str, Any]], every: int,
             progress: Callable[[int], bool]) -> Iterator[Mapping[str, Any]]:
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % every == 0 and not progress(done):
            raise LostLease()


def run_next(db, settings: Settings, now: Callable[[], dt.datetime], owner: str,
             rpc: Callable[[str], Any] | None = None, queue: JobQueue | None = None) -> str | None:
    """Claim one export job and run it to its end; the job's id (None: nothing to do)."""
    queue = queue or settings.queue()
    job = queue.claim(db, now(), owner)
    if job is None:
        return None
    try:
        _run(db, settings, now, job, rpc, queue)
    except LostLease:
        log.warning("export %s was taken over by another process", job.id)
    except DomainError as refusal:
        queue.fail(db, job, now(), refusal.code, refusal.zh, refusal.en)
    except Exception:
        log.exception("export %s failed", job.id)
        queue.fail(db, job, now(), "export_failed", "导出失败，已记录，请稍后重试",
                   "The export failed; it has been logged, please retry")
    return job.id


def _run(db, settings: Settings, now: Callable[[], dt.datetime], job: Claimed,
         rpc: Callable[[str], Any] | None, queue: JobQueue) -> None:
    table = table_of(job.kind)
    fmt = job.params["format"]
    params = load(table.params(), job.params["params"])
    caller = Caller.from_dict(job.caller)
    table.check(caller, params)  # the caller's scope may have changed since
    directory = Path(settings.dir)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"{job.id}.{fmt}"
    temporary = directory / f".{job.id}.{uuid.uuid4().hex}.part"
    with db() as uow:
        started = now()
        ctx = ExportContext(uow, started, caller, rpc or no_rpc, job.id)
        total = table.count(ctx, params)
        if not queue.progress(db, job, now(), 0, total):
            raise LostLease()
        rows = _counted(iter(table.rows(ctx, params)), settings.every,
                        lambda done: queue.progress(db, job, now(), done, total))
        try:
            written = WRITERS[fmt](str(temporary), table.columns_for(params), rows)
            os.replace(temporary, final)  # whole, or not there
        finally:
            temporary.unlink(missing_ok=True)
        finished = now()
        result = {"file": final.name, "file_name": table.file_name(params, fmt, started),
                  "size_bytes": final.stat().st_size, "rows": written,
                  "expires_at": (finished + dt.timedelta(days=settings.keep_days)).isoformat()}
        if table.after_done is not None:
            table.after_done(ctx, params)
        # what after_done wrote and the job's end commit together
        if not queue.finish(uow.nested(), job, finished, result, rows_done=written):
            raise LostLease()
        uow.commit()


def sweep(db, settings: Settings, now: dt.datetime) -> int:
    """Delete the files of jobs past their expiry, and temporary files (left by a process
    that died) older than two leases or an hour; how many files. Every reporting process
    sweeps the one folder: a file listed may be gone (swept by another, or renamed by its
    runner) by the time it is looked at."""
    directory = Path(settings.dir)
    if not directory.exists():
        return 0
    with db() as uow:
        done = {row.result["file"]: dt.datetime.fromisoformat(row.result["expires_at"])
                for row in export_repository.done(uow)}
    stale = now.timestamp() - max(settings.lease_seconds * 2, 3600)
    deleted = 0
    for path in directory.iterdir():
        if not path.is_file():
            continue
        expires = done.get(path.name)
        try:
            # a file of no done job: a dead process's temporary file, or one just renamed
            # whose job is not marked done yet (so only once it is old)
            if (now >= expires) if expires else path.stat().st_mtime < stale:
                path.unlink()
                deleted += 1
        except FileNotFoundError:  # another process swept (or its runner renamed) it
            continue
    return deleted


__all__ = ["FAILED", "LostLease", "Settings", "export_job", "file_chunk", "job_out",
           "list_exports", "run_next", "start_export", "sweep"]
