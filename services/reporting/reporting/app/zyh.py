"""志愿汇 pushes: the scan that queues every credited service record's new version, the worker
that POSTs due pushes in signed batches (``domain/zyh.py``), and for operators the state, the
dead pushes and their replay.

A batch is claimed with ``FOR UPDATE SKIP LOCKED`` (each push counted as an attempt and leased
forward) and committed; 志愿汇 is asked outside any transaction; the outcome is written in a
second one. A process that dies between the two leaves its batch to be sent again after the
lease: at least once (志愿汇 deduplicates by record id and version), never lost. A version
once ``sent`` is never queued or sent again.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.clock import Clock
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import BadInput, Forbidden
from timebank_common.regions import PROVINCE, level_of
from timebank_common.signed_http import Outcome, post

from ..adapters import zyh_repository as repo
from ..adapters.metrics import ZYH_DEAD, ZYH_LAST_SUCCESS, ZYH_PENDING
from ..contracts import ZYH_READERS, ZYH_REPLAYERS
from ..domain import zyh as rules

log = logging.getLogger("reporting.zyh")
audit = logging.getLogger("timebank.audit.reporting")

Sender = Callable[[str, bytes, dict[str, str], float], Outcome]
"""(url, body, headers, timeout) → outcome: the kit's ``signed_http.post`` unless a test
passes another."""

SCAN_GRACE = dt.timedelta(seconds=30)
"""Rows updated in the last seconds are left to the next scan: a transaction that wrote an
earlier ``updated_at`` may not have committed yet."""


def enqueue_changes(db: UnitOfWorkFactory, settings: rules.ZyhSettings, now: dt.datetime,
                    grace: dt.timedelta = SCAN_GRACE) -> int:
    """Queue the credited records changed since the scan's mark (up to ``scan_batch``, one
    transaction); the number of new pushes."""
    with db() as uow:
        at, record_id = repo.mark(uow)
        rows = repo.changed_since(uow, at, record_id, now - grace, settings.scan_batch)
        if not rows:
            uow.commit()
            return 0
        pushes = [{"record_id": r["record_id"], "version": int(r["version"]),
                   "minutes": rules.minutes_of(r),
                   "payload": rules.payload_of(r, settings.field_map)}
                  for r in rows if r["credited_minutes"] is not None]
        added = repo.enqueue(uow, pushes, now)
        last = rows[-1]
        repo.set_mark(uow, last["updated_at"], last["record_id"])
        uow.commit()
    return added


def push_due(db: UnitOfWorkFactory, settings: rules.ZyhSettings, clock: Clock,
             sender: Sender = post, max_batches: int = 10) -> int:
    """POST due pushes in batches of ``batch_size`` (at most ``max_batches``); the number of
    pushes handled."""
    handled = 0
    for _ in range(max_batches):
        done = _push_batch(db, settings, clock, sender)
        handled += done
        if done < settings.batch_size:
            break
    return handled


def _push_batch(db: UnitOfWorkFactory, settings: rules.ZyhSettings, clock: Clock,
                sender: Sender) -> int:
    now = clock.now()
    lease = dt.timedelta(seconds=settings.sending_lease_seconds)
    with db() as uow:
        batch = repo.claim_due(uow, now, now + lease, settings.batch_size)
        uow.commit()
    if not batch:
        return 0
    batch.sort(key=lambda r: (r["record_id"], r["version"]))
    body = rules.batch_body(settings.app_id, [r["payload"] for r in batch])
    stamp = int(clock.now().timestamp())
    headers = rules.signed_headers(settings.app_id, settings.secret, stamp, uuid.uuid4().hex,
                                   body)
    outcome = sender(settings.endpoint, body, headers, settings.timeout_seconds)
    done = clock.now()
    keys = [(r["record_id"], int(r["version"])) for r in batch]
    with db() as uow:
        if outcome.ok:
            repo.mark_sent(uow, keys, outcome.status, done)
        else:
            error = outcome.error or f"HTTP {outcome.status}"
            for row, key in zip(batch, keys, strict=True):
                status, next_at = settings.after_failure(int(row["attempts"]), done)
                repo.mark_failed(uow, key, status, next_at, outcome.status, error)
                if status == rules.DEAD:
                    log.warning("志愿汇 push dead after %s attempts: record %s version %s (%s)",
                                row["attempts"], key[0], key[1], error)
        uow.commit()
    if outcome.ok:
        ZYH_LAST_SUCCESS.set(done.timestamp())
    return len(batch)


def refresh_gauges(db: UnitOfWorkFactory, with_sent: bool = True) -> dict[str, Any]:
    """The gauges (and what they say); the timer leaves out counting the sent pushes."""
    with db() as uow:
        counts = repo.counts(uow, with_sent)
        last = repo.last_success(uow)
    ZYH_PENDING.set(counts[rules.PENDING])
    ZYH_DEAD.set(counts[rules.DEAD])
    if last:
        ZYH_LAST_SUCCESS.set(last.timestamp())
    else:
        ZYH_LAST_SUCCESS.clear()
    return {**counts, "last_success_at": last}


def _province_wide(caller: Caller, *roles: str) -> None:
    """志愿汇 is one channel for the whole province: its state is for province-level staff."""
    caller.require(*roles)
    if not caller.scope or level_of(caller.scope) != PROVINCE:
        raise Forbidden("province_scope_required", "仅限省级管理员或审计员",
                        "Only province-level staff may do this", {"scope": caller.scope})


def status(db: UnitOfWorkFactory, caller: Caller, settings: rules.ZyhSettings
           ) -> dict[str, Any]:
    _province_wide(caller, *ZYH_READERS)
    return {"enabled": settings.enabled, **refresh_gauges(db)}


def dead(db: UnitOfWorkFactory, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    limit = max(1, min(int(limit), 1000))
    offset = max(0, int(offset))
    with db() as uow:
        items, total = repo.dead(uow, limit, offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def dead_for(db: UnitOfWorkFactory, caller: Caller, query: Mapping[str, Any]
             ) -> dict[str, Any]:
    _province_wide(caller, *ZYH_READERS)
    return dead(db, query.get("limit", 100), query.get("offset", 0))


def replay(db: UnitOfWorkFactory, record_ids: list[str] | None, now: dt.datetime,
           by: str) -> dict[str, Any]:
    """Dead pushes (of ``record_ids``, or all when None) back to pending now, attempts from
    zero; written to the audit log with who asked."""
    if record_ids is not None and not record_ids:
        raise BadInput("nothing_to_replay", "请指定记录编号或全部重发",
                       "Give record ids or ask for all")
    with db() as uow:
        replayed = repo.replay(uow, record_ids, now)
        uow.commit()
    audit.info("zyh_replay by=%s asked=%s replayed=%d records=%s", by,
               "all" if record_ids is None else ",".join(sorted(set(record_ids))),
               len(replayed), ",".join(replayed))
    refresh_gauges(db, with_sent=False)
    return {"replayed": len(replayed), "record_ids": replayed}


def replay_for(db: UnitOfWorkFactory, caller: Caller, data: Mapping[str, Any],
               now: dt.datetime) -> dict[str, Any]:
    _province_wide(caller, *ZYH_REPLAYERS)
    ids = None if data.get("all") else list(data.get("record_ids") or [])
    return replay(db, ids, now, by=f"person:{caller.person_id}")
