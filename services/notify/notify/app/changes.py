"""The change feed of municipal systems: what each consumed event adds, and a page of it.

``record`` runs in the event handler's unit of work (its inbox record commits with it): the
changes, and a webhook delivery of each to every endpoint of the city, exist exactly once.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import BadInput, Gone

from ..adapters import change_repository as feed
from ..adapters import webhook_repository as webhooks
from ..contracts import CHANGE_READERS
from ..domain.changes import InvalidCursor, changes_of, cursor_expired, decode_cursor, encode_cursor


def record(uow, envelope: Mapping[str, Any], now: dt.datetime) -> list[int]:
    """Append the changes an event makes (read with its producer's contract) and fan each out
    to the webhooks of its city; their sequences."""
    payload = {key: value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else value
               for key, value in envelope["payload"].items()}
    sequences = []
    for change in changes_of(envelope["event_type"], payload, envelope.get("region_code"),
                             envelope["occurred_at"]):
        sequence = feed.append(uow, change, str(envelope["event_id"]), now)
        if sequence is not None:
            webhooks.fan_out(uow, sequence, change.region_code, now)
            sequences.append(sequence)
    return sequences


def item_view(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"sequence": int(row["sequence"]), "kind": row["kind"], "entity_id": row["entity_id"],
            "event": row["event"], "occurred_at": row["occurred_at"],
            "region_code": row["region_code"], "payload": dict(row["payload"] or {})}


def read(db: UnitOfWorkFactory, caller: Caller, query: Mapping[str, Any]) -> dict[str, Any]:
    """A page of the caller's city after the cursor. A cursor this feed never gave is 400
    ``invalid_cursor``; one older than what is kept is 410 ``cursor_expired``."""
    caller.require(*CHANGE_READERS)
    try:
        after = decode_cursor(query.get("cursor"))
    except InvalidCursor:
        raise BadInput("invalid_cursor", "游标无效：请使用上一页返回的 next_cursor",
                       "Invalid cursor: pass the next_cursor of the previous page",
                       {"cursor": ["invalid / 无效"]}) from None
    limit = int(query.get("limit") or 100)
    with db() as uow:
        pruned = feed.pruned_through(uow)
        if query.get("cursor") and cursor_expired(after, pruned):
            raise Gone("cursor_expired",
                       "游标已过期：其后的部分变更已超出保留期，请重新全量同步后从新的游标继续",
                       "The cursor has expired: changes after it are past retention; "
                       "resynchronise, then continue from a new cursor",
                       {"oldest_cursor": encode_cursor(pruned)})
        after = max(after, pruned)
        rows = feed.page(uow, caller.scope or "", after, limit + 1)
        if after > max(feed.latest_sequence(uow), pruned):  # (everything pruned: no rows)
            raise BadInput("invalid_cursor", "游标无效：请使用上一页返回的 next_cursor",
                           "Invalid cursor: pass the next_cursor of the previous page",
                           {"cursor": ["from the future / 超出范围"]})
    items = [item_view(r) for r in rows[:limit]]
    last = items[-1]["sequence"] if items else after
    return {"items": items, "next_cursor": encode_cursor(last), "has_more": len(rows) > limit}


def prune(db: UnitOfWorkFactory, now: dt.datetime, retention: dt.timedelta) -> int:
    """Forget changes recorded longer ago than the retention (the timer)."""
    with db() as uow:
        deleted = feed.prune(uow, now - retention)
        uow.commit()
    return deleted
