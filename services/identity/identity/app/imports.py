"""Importing the national volunteer system's files as background jobs (issue 16 item 6).

``start_import`` keeps the file (sealed) and queues a job; the runner (``run_next``, a timer in
identity and the ``import_*`` commands) claims it, reads the file (``adapters.import_files``),
checks each row (``domain.imports``) and applies it in **chunks**: one unit of work per chunk
holds its rows' changes, their outcomes (``import_job_rows``) and the job's progress with the
next line as checkpoint (``JobQueue.progress`` in the same transaction, which also proves the
lease is still ours). A process killed mid-file leaves the last chunk uncommitted; once the
lease runs out another process takes the job over and starts at the checkpoint, so no line is
done twice. A row refused (bad data, a rule of registration, out of the importer's scope) is
undone alone (a savepoint) and recorded with its line and zh+en reason.

Kinds: ``volunteer_registrations`` (a new volunteer is registered in the row's region, without
a login; an existing one, found by ID number, gets the national volunteer number and
registry status) and ``registry_status`` (``volunteer_number,status``). Both idempotent:
the same file again leaves every row ``unchanged``.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.clock import Clock, china_date
from timebank_common.db import UnitOfWork, UnitOfWorkFactory
from timebank_common.errors import BadInput, Conflict, DomainError, Forbidden, NotFound
from timebank_common.jobs import Claimed, percent

from ..adapters import grants, import_files, persons, volunteers
from ..adapters import imports as store
from ..adapters.rows import as_uuid
from ..contracts import IMPORT_MAX_BYTES, IMPORTERS, PERSON_REGISTERED, SUPERVISORS
from ..domain import imports as rules
from . import audit, volunteering
from .registration import (
    authorize_registration,
    parse_id_number,
    person_for,
    require_region,
)
from .views import volunteer_view

log = logging.getLogger(__name__)
QUEUE = store.QUEUE
CHUNK_ROWS = 200


def _requester(caller: Caller) -> str:
    return caller.person_id or caller.client_id or ""


def start_import(db: UnitOfWorkFactory, caller: Caller, data: Mapping[str, Any],
                 now: dt.datetime) -> dict[str, Any]:
    """Keep the file and queue its job (staff who register volunteers, or a command's
    ``command_caller``). The file is checked by the job, which fails with the reason."""
    caller.require(*IMPORTERS)
    try:
        content = base64.b64decode(data["content"], validate=True)
    except (binascii.Error, ValueError):
        raise BadInput("invalid_file_content", "文件内容应为 base64 编码",
                       "The file's content must be base64") from None
    if len(content) > IMPORT_MAX_BYTES:
        raise BadInput("file_too_large", f"文件过大（上限 {IMPORT_MAX_BYTES // 1024 // 1024} MB）",
                       f"The file is too large (at most {IMPORT_MAX_BYTES} bytes)",
                       {"max_bytes": IMPORT_MAX_BYTES})
    job_id = str(uuid.uuid4())
    with db() as uow:
        QUEUE.add(uow, data["kind"], {"scope": caller.scope}, now,
                  requested_by=_requester(caller) or None, caller=caller.to_dict(),
                  job_id=job_id)
        store.store_file(uow, job_id, data["file_name"], content)
        audit.record(uow, caller, "start_import", "import_job", job_id, caller.scope,
                     after={"kind": data["kind"], "file_name": data["file_name"],
                            "size_bytes": len(content)})
        uow.commit()
        return _views(uow, [job_id])[0]


# --- reading jobs --------------------------------------------------------------------------

def _views(uow: UnitOfWork, job_ids: list[str]) -> list[dict[str, Any]]:
    jobs = {row.id: row for row in store.jobs_in(uow, job_ids)}
    names = store.file_names(uow, job_ids)
    counts = store.counts(uow, job_ids)
    return [job_view(jobs[i], names.get(i, ""), counts.get(i, {})) for i in job_ids if i in jobs]


def job_view(row: Any, file_name: str, counts: Mapping[str, int]) -> dict[str, Any]:
    return {
        "id": row.id, "kind": row.kind, "status": row.status,
        "percent": percent(row.rows_done, row.total_rows, row.status),
        "rows_done": row.rows_done, "total_rows": row.total_rows,
        **{outcome: counts.get(outcome, 0) for outcome in rules.OUTCOMES},
        "created_at": row.created_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        "file_name": file_name, "error": row.error,
    }


def _readable_job(uow: UnitOfWork, caller: Caller, job_id: str) -> Any:
    """The job if the caller started it, or supervises the region it was started in; an
    unknown id and another's job answer alike (404 ``import_not_found``)."""
    row = QUEUE.get(uow, str(job_id))
    mine = row is not None and row.requested_by and row.requested_by == _requester(caller)
    supervised = row is not None and caller.has(*SUPERVISORS) \
        and caller.covers((row.params or {}).get("scope"))
    if not (mine or supervised):
        raise NotFound("import_not_found", "未找到该导入任务", "No such import job",
                       {"job_id": str(job_id)})
    return row


def get_import(db: UnitOfWorkFactory, caller: Caller, job_id: str) -> dict[str, Any]:
    with db() as uow:
        row = _readable_job(uow, caller, job_id)
        return _views(uow, [row.id])[0]


def list_imports(db: UnitOfWorkFactory, caller: Caller) -> dict[str, Any]:
    """The caller's own imports, newest first (the last 50)."""
    caller.require(*IMPORTERS, *SUPERVISORS)
    with db() as uow:
        rows = QUEUE.of_requester(uow, _requester(caller))
        return {"items": _views(uow, [r.id for r in rows])}


def import_errors(db: UnitOfWorkFactory, caller: Caller, job_id: str,
                  query: Mapping[str, Any]) -> dict[str, Any]:
    """The refused lines of a job, in line order, one page."""
    with db() as uow:
        row = _readable_job(uow, caller, job_id)
        rows, total = store.refused_page(uow, row.id, query["page"], query["page_size"])
    return {"items": [{"line": r.line, "code": r.code, "zh": r.zh, "en": r.en} for r in rows],
            "total": total, "page": query["page"], "page_size": query["page_size"]}


# --- the runner ----------------------------------------------------------------------------

def run_next(db: UnitOfWorkFactory, clock: Clock, owner: str, chunk_rows: int = CHUNK_ROWS,
             max_chunks: int | None = None,
             on_progress: Callable[[int, int], Any] | None = None) -> str | None:
    """Claim the next import job (or one whose holder died) and work on it; its id, or None
    when there was nothing to do. ``max_chunks``: stop after that many chunks without
    finishing (what a killed process leaves; for tests)."""
    job = QUEUE.claim(db, clock.now(), owner)
    if job is None:
        return None
    run_job(db, job, clock, chunk_rows, max_chunks, on_progress)
    return job.id


def run_job(db: UnitOfWorkFactory, job: Claimed, clock: Clock, chunk_rows: int = CHUNK_ROWS,
            max_chunks: int | None = None,
            on_progress: Callable[[int, int], Any] | None = None) -> None:
    """Work on a claimed job from its checkpoint; ``on_progress(done, total)`` after each
    chunk (a command prints it)."""
    with db() as uow:
        file_name, content = store.file_of(uow, job.id)
    try:
        if content is None:
            raise rules.FileRefused("file_gone", "导入文件已不存在", "The imported file is gone")
        if len(content) > IMPORT_MAX_BYTES:
            raise rules.FileRefused(
                "file_too_large", f"文件过大（上限 {IMPORT_MAX_BYTES // 1024 // 1024} MB）",
                f"The file is too large (at most {IMPORT_MAX_BYTES} bytes)")
        file_format = rules.file_format(content, file_name)
        lay, total = _survey(job.kind, content, file_format)
        _work(db, job, clock, content, file_format, lay, total, file_name, chunk_rows,
              max_chunks, on_progress or (lambda done, total: None))
    except rules.FileRefused as refusal:
        _end(db, job, clock.now(), refusal)


def _data_rows(content: bytes, file_format: str, lay: rules.Layout
               ) -> Iterator[tuple[int, list[str]]]:
    for line, cells in import_files.rows(content, file_format):
        if (lay.header_line is None or line > lay.header_line) and not rules.is_blank(cells):
            yield line, cells


def _survey(kind: str, content: bytes, file_format: str) -> tuple[rules.Layout, int]:
    """The layout (from the first non-blank row) and how many data rows follow."""
    lay: rules.Layout | None = None
    total = 0
    for line, cells in import_files.rows(content, file_format):
        if rules.is_blank(cells):
            continue
        if lay is None:
            lay = rules.layout(kind, line, cells)
            if lay.header_line is not None:
                continue
        total += 1
    if lay is None:
        raise rules.FileRefused("empty_file", "文件为空", "The file is empty")
    return lay, total


def _work(db: UnitOfWorkFactory, job: Claimed, clock: Clock, content: bytes, file_format: str,
          lay: rules.Layout, total: int, file_name: str, chunk_rows: int,
          max_chunks: int | None, on_progress: Callable[[int, int], Any]) -> None:
    caller = Caller.from_dict(job.caller) if job.caller else None
    start = int(job.checkpoint or 0)
    with db() as uow:
        done = sum(store.counts(uow, [job.id]).get(job.id, {}).values())
    if not QUEUE.progress(db, job, clock.now(), done, total):
        return
    chunk: list[tuple[int, list[str]]] = []
    chunks = 0
    for line, cells in _data_rows(content, file_format, lay):
        if line < start:
            continue
        chunk.append((line, cells))
        if len(chunk) >= chunk_rows:
            if not _commit_chunk(db, job, caller, clock, lay, chunk, done, file_name):
                return  # taken over by another process: stop at once
            done += len(chunk)
            on_progress(done, total)
            chunk = []
            chunks += 1
            if max_chunks is not None and chunks >= max_chunks:
                return
    if chunk:
        if not _commit_chunk(db, job, caller, clock, lay, chunk, done, file_name):
            return
        done += len(chunk)
        on_progress(done, total)
    _end(db, job, clock.now(), None, done)


def _commit_chunk(db: UnitOfWorkFactory, job: Claimed, caller: Caller | None, clock: Clock,
                  lay: rules.Layout, chunk: list[tuple[int, list[str]]], done: int,
                  file_name: str) -> bool:
    """One chunk in one unit of work: progress first (it locks the job's row and proves the
    lease ours; else nothing is written), then each row in a savepoint, then the outcomes."""
    now = clock.now()
    today = china_date(now)
    next_line = chunk[-1][0] + 1
    note = f"imported from {file_name}"[:200]
    with db() as uow:
        if not QUEUE.progress(uow.nested(), job, now, done + len(chunk), checkpoint=next_line):
            return False
        outcomes = []
        for line, cells in chunk:
            parsed = rules.parse_row(lay, line, cells, today)
            outcome: dict[str, Any] = {"job_id": job.id, "line": line, "outcome": rules.REFUSED,
                                       "code": None, "zh": None, "en": None, "person_id": None}
            if isinstance(parsed, rules.RowRefusal):
                outcome.update(code=parsed.code, zh=parsed.zh, en=parsed.en)
            else:
                try:
                    with uow.savepoint():
                        result, person_id = _apply(uow, caller, parsed, note, job.id, now)
                    outcome.update(outcome=result, person_id=str(person_id))
                except DomainError as refusal:
                    outcome.update(code=refusal.code, zh=refusal.zh, en=refusal.en)
            outcomes.append(outcome)
        store.add_outcomes(uow, outcomes)
        uow.commit()
    return True


def _end(db: UnitOfWorkFactory, job: Claimed, now: dt.datetime,
         refusal: rules.FileRefused | None, done: int | None = None) -> None:
    """Finish (or fail, for a bad file) the job with its counts, drop the file, audit it —
    one transaction, only while the lease is ours."""
    caller = Caller.from_dict(job.caller) if job.caller else None
    with db() as uow:
        counts = store.counts(uow, [job.id]).get(job.id, {})
        result = {outcome: counts.get(outcome, 0) for outcome in rules.OUTCOMES}
        if refusal is None:
            held = QUEUE.finish(uow.nested(), job, now, result, done)
        else:
            held = QUEUE.fail(uow.nested(), job, now, refusal.code, refusal.zh, refusal.en)
        if not held:
            return
        store.drop_file(uow, job.id)
        after: dict[str, Any] = {"kind": job.kind, **result}
        if refusal is not None:
            after["error"] = refusal.code
        audit.record(uow, caller, "finish_import" if refusal is None else "fail_import",
                     "import_job", job.id, caller.scope if caller else None, after=after)
        uow.commit()


# --- one row -------------------------------------------------------------------------------

def _apply(uow: UnitOfWork, caller: Caller | None, record: Any, note: str, job_id: str,
           now: dt.datetime) -> tuple[str, Any]:
    if isinstance(record, rules.StatusRecord):
        return _apply_status(uow, caller, record, note, now)
    return _apply_volunteer(uow, caller, record, note, job_id, now)


def _apply_status(uow: UnitOfWork, caller: Caller | None, record: rules.StatusRecord,
                  note: str, now: dt.datetime) -> tuple[str, Any]:
    """Today's ``import_registry``: the registry status of the volunteer holding the number
    (one outside the importer's scope is as unknown)."""
    profile = volunteers.volunteer_by_number(uow, record.volunteer_number)
    person = persons.get_person(uow, profile["person_id"]) if profile else None
    if person is None or (caller is not None and not caller.covers(person["region_code"])):
        raise NotFound("unknown_volunteer_number", "未找到持有该编号的志愿者",
                       "No volunteer holds this number")
    assert profile is not None
    before = profile["registry_status"]
    if not volunteering.apply_registry_status(uow, person, profile, record.status, note,
                                              as_uuid(caller.person_id) if caller else None,
                                              now):
        return rules.UNCHANGED, person["id"]
    audit.record(uow, caller, "set_registry_status", "person", person["id"],
                 person["region_code"], before={"registry_status": before},
                 after={"registry_status": record.status, "note": note})
    return rules.UPDATED, person["id"]


def _claim_number(uow: UnitOfWork, number: str, person_id: Any) -> None:
    persons.lock_key(uow, "volunteer_number", number)
    holder = volunteers.volunteer_number_holder(uow, number)
    if holder is not None and holder != person_id:
        raise Conflict("volunteer_number_in_use", "该志愿者编号已被其他志愿者登记",
                       "This volunteer number belongs to another volunteer")


def _apply_volunteer(uow: UnitOfWork, caller: Caller | None, record: rules.VolunteerRecord,
                     note: str, job_id: str, now: dt.datetime) -> tuple[str, Any]:
    """A volunteer of the national export: registered here if new (in the row's region,
    which the importer's scope must cover), else given the national number and status."""
    actor = caller or command_caller("")  # every job has its caller (the command's own)
    authorize_registration(actor, record.region_code)
    today = china_date(now)
    by = as_uuid(actor.person_id)
    persons.lock_key(uow, "id_number", record.id_number)
    existing = persons.find_person_by_id_number(uow, record.id_number)
    profile = volunteers.lock_volunteer_profile(uow, existing["id"]) if existing else None
    if existing is not None and profile is not None:
        if not actor.covers(existing["region_code"]):
            raise Forbidden("out_of_scope", "该身份证号码已在您管辖范围之外登记，请联系其所在地管理",
                            "This ID number is registered outside your region; contact that "
                            "region")
        if existing["name"] != record.name:
            raise Conflict("identity_mismatch", "该身份证号码已登记，但姓名不一致，请核对",
                           "This ID number is registered under another name; please check")
        before: dict[str, Any] = {}
        if record.volunteer_number != profile["volunteer_number"]:
            _claim_number(uow, record.volunteer_number, existing["id"])
            before["volunteer_number"] = profile["volunteer_number"]
            profile = volunteers.update_volunteer_profile(
                uow, existing["id"], volunteer_number=record.volunteer_number)
        if profile["registry_status"] != record.status:
            before["registry_status"] = profile["registry_status"]
            profile = volunteers.update_volunteer_profile(
                uow, existing["id"], registry_status=record.status, registry_note=note,
                registry_set_by=by, registry_set_at=now)
        if not before:
            return rules.UNCHANGED, existing["id"]
        volunteering.announce_if_changed(
            uow, existing, volunteering.assess(uow, existing, profile, today), today)
        audit.record(uow, caller, "import_volunteer", "person", existing["id"],
                     existing["region_code"], before=before,
                     after={"volunteer_number": profile["volunteer_number"],
                            "registry_status": profile["registry_status"], "import": job_id})
        return rules.UPDATED, existing["id"]
    if existing is None and not record.phone:
        raise BadInput("phone_required", "新登记的志愿者须有手机号码",
                       "A newly registered volunteer needs a mobile number")
    require_region(uow, record.region_code)
    resident = parse_id_number(record.id_number, today)
    person = person_for(uow, actor, {"name": record.name, "phone": record.phone,
                                     "address": record.address,
                                     "region_code": record.region_code},
                        resident, "volunteer", volunteers.get_volunteer_profile)
    _claim_number(uow, record.volunteer_number, person["id"])
    profile = volunteers.insert_volunteer_profile(
        uow, person_id=person["id"], volunteer_number=record.volunteer_number,
        registered_by=by, registry_status=record.status, registry_set_by=by,
        registry_set_at=now, registry_note=note)
    grants.add_grant(uow, person["id"], "volunteer", person["region_code"], granted_by=by)
    assessment = volunteering.assess(uow, person, profile, today)
    uow.emit(PERSON_REGISTERED, {"person_id": str(person["id"]), "profile": "volunteer",
                                 "region_code": person["region_code"]}, person["region_code"])
    volunteering.announce_if_changed(uow, person, assessment, today)
    audit.record(uow, caller, "import_volunteer", "person", person["id"], person["region_code"],
                 after={**volunteer_view(person, profile, today, assessment["reasons"]),
                        "import": job_id})
    return rules.CREATED, person["id"]


def command_caller(scope: str) -> Caller:
    """The caller of an import run from the command line, over ``scope``."""
    return Caller(person_id=None, roles=("province_admin",), scope=scope,
                  name="命令行导入 command-line import")
