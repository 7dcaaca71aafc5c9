"""The change feed's rows: appended in commit order, read by a city's prefix after a sequence.

Why a lock and not only the identity column: sequences are handed out when a row is inserted
but become visible when its transaction commits, so with two writers a reader could see
sequence 8 while 7 is still uncommitted, move its cursor past 7 and never see it. Every
append therefore first takes one transaction-level advisory lock (``FEED_LOCK``), held until
commit: a later writer gets its sequence only after the earlier one committed, so sequences
become visible in increasing order and a cursor never skips a row. The lock is held only for
the short feed transaction of each consumed event (insert a few rows and their webhook
deliveries), never across RPC or HTTP. A "visibility horizon" (read only below the oldest
sequence still in flight) would avoid the lock but needs a table of in-flight writers; at a
province's event rate (hundreds a second at most) one lock is simpler and enough.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import within
from timebank_common.regions import prefix_of

from ..domain.changes import Change
from .tables import change_feed_state, changes

FEED_LOCK = 7_310_001  # pg_advisory_xact_lock key of the feed (any constant unique in notify)


def append(uow, change: Change, event_id: str, now: dt.datetime) -> int | None:
    """The new row's sequence; None when this event already made a change for this place
    (a redelivery the inbox did not catch, e.g. after a consumer was renamed)."""
    uow.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FEED_LOCK})
    row = uow.execute(insert(changes).values(
        kind=change.kind, entity_id=change.entity_id, event=change.event, event_id=event_id,
        region_code=change.region_code, occurred_at=change.occurred_at,
        payload=change.payload, recorded_at=now,
    ).on_conflict_do_nothing(constraint="changes_once_per_event_and_place")
        .returning(changes.c.sequence)).first()
    return None if row is None else int(row.sequence)


def page(uow, scope_code: str, after: int, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` changes of the scope with a sequence above ``after``, in order."""
    rows = uow.execute(
        select(changes).where(within(changes.c.region_code, prefix_of(scope_code)),
                              changes.c.sequence > after)
        .order_by(changes.c.sequence).limit(limit)).mappings().all()
    return [dict(r) for r in rows]


def get(uow, sequence: int) -> dict[str, Any] | None:
    row = uow.execute(select(changes).where(changes.c.sequence == sequence)).mappings().first()
    return None if row is None else dict(row)


def pruned_through(uow) -> int:
    value = uow.execute(select(change_feed_state.c.pruned_through)
                        .where(change_feed_state.c.id == 1)).scalar()
    return int(value or 0)


def latest_sequence(uow) -> int:
    return int(uow.execute(select(func.coalesce(func.max(changes.c.sequence), 0))).scalar())


def prune(uow, recorded_before: dt.datetime) -> int:
    """Delete changes recorded before the moment; remember the highest sequence deleted (a
    cursor before it has missed changes: 410). The number deleted."""
    deleted = uow.execute(delete(changes).where(changes.c.recorded_at < recorded_before)
                          .returning(changes.c.sequence)).scalars().all()
    if deleted:
        uow.execute(update(change_feed_state).where(change_feed_state.c.id == 1)
                    .values(pruned_through=func.greatest(change_feed_state.c.pruned_through,
                                                         max(deleted))))
    return len(deleted)
